import { describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../../src/domain/job.js';
import { progressReply, threadLine } from '../../../src/slack/blocks/thread-line.js';
import { APPROVE, applied, awaiting, DRAINED, ENDED, failVerdict, passVerdict, SCHEDULED } from './jobs.js';

/** The reply for the last action applied to `job`. */
function reply(job: MaintenanceJob, ...actions: Parameters<typeof applied>[1][]): string {
  const before = actions.length > 1 ? applied(job, ...actions.slice(0, -1)) : job;
  return threadLine(applied(before, actions.at(-1)!), before);
}

describe('threadLine', () => {
  const job = awaiting();

  it('says who approved and that the node drains', () => {
    expect(reply(job, APPROVE)).toBe('✅ Approved by <@U0APPROVER>: draining gpu-1.');
  });

  it('tells a drain by Pitstop from a node someone else already held out', () => {
    expect(reply(job, APPROVE, DRAINED)).toContain('gpu-1 is drained');
    const other = reply(job, APPROVE, { type: 'drained', drainedBy: 'other' });
    expect(other).toContain('already held out by someone else');
    expect(other).toContain('never resume it');
  });

  it('names the window and the work request, or that OCI keeps its own window', () => {
    expect(reply(job, APPROVE, DRAINED, SCHEDULED)).toBe(
      '🗓️ Maintenance scheduled: window starts 2026-12-01 14:10 UTC (work request ocid1.workrequest.oc1.iad.wr1).',
    );
    expect(
      reply(job, APPROVE, DRAINED, { type: 'scheduled', windowStart: '2026-12-02T00:00:00Z' }),
    ).toContain('OCI keeps its own window, starting 2026-12-02 00:00 UTC');
  });

  it('gives the maintenance state', () => {
    expect(reply(job, APPROVE, DRAINED, SCHEDULED, ENDED)).toBe(
      "Maintenance SUCCEEDED: checking gpu-1's GPUs.",
    );
    expect(reply(job, APPROVE, DRAINED, SCHEDULED, { type: 'maintenance_ended', state: 'FAILED' })).toContain(
      'OCI reports the maintenance FAILED: gpu-1 stays out',
    );
  });

  it('lists every check with its mark, failures first, and the recommended action', () => {
    const fail = reply(job, APPROVE, DRAINED, SCHEDULED, ENDED, {
      type: 'health_checked',
      verdict: failVerdict,
    });
    expect(fail.split('\n')).toEqual([
      '*Health FAIL* on gpu-1',
      '❌ ecc (GPU 0000:1B:00.0): DBE count 2',
      '❓ dcgmi-diag: dcgmi not found',
      '✅ gpu-count: 8 of 8 GPUs',
      '*Recommended:* hardware fault: open an OCI ticket or terminate the instance so OCI replaces the host',
    ]);
    const pass = reply(job, APPROVE, DRAINED, SCHEDULED, ENDED, {
      type: 'health_checked',
      verdict: passVerdict,
    });
    expect(pass).toContain('*Health PASS* on gpu-1');
    expect(pass).toContain('⚠️ nvlink (GPU 3): 1 replay error');
  });

  it('says what was done to the node, and who holds one kept out', () => {
    const checked = [APPROVE, DRAINED, SCHEDULED, ENDED] as const;
    expect(
      reply(
        job,
        ...checked,
        { type: 'health_checked', verdict: passVerdict },
        {
          type: 'triaged',
          result: 'resumed',
          reason: 'gpu-1 passed its checks and is back in service',
        },
      ),
    ).toBe('✅ *gpu-1 resumed:* gpu-1 passed its checks and is back in service');
    const kept = reply(
      job,
      ...checked,
      { type: 'health_checked', verdict: failVerdict },
      {
        type: 'triaged',
        result: 'kept_out',
        reason: 'health FAIL: ecc',
      },
    );
    expect(kept).toContain('❌ *gpu-1 kept out:* health FAIL: ecc');
    expect(kept).toContain("stays drained with Pitstop's reason");
  });

  it('names the ticket opened for a node kept out, linked, or why there is none', () => {
    const kept = [
      APPROVE,
      DRAINED,
      SCHEDULED,
      ENDED,
      { type: 'health_checked', verdict: failVerdict },
      { type: 'triaged', result: 'kept_out', reason: 'health FAIL: ecc' },
    ] as const;
    expect(
      reply(job, ...kept, {
        type: 'ticket',
        ticket: { opened: true, id: 'OPS-7', url: 'https://jira.example/browse/OPS-7' },
      }),
    ).toBe('🎫 Ticket <https://jira.example/browse/OPS-7|OPS-7> opened for gpu-1.');
    expect(reply(job, ...kept, { type: 'ticket', ticket: { opened: true } })).toBe(
      '🎫 A ticket was opened for gpu-1 (the answer named no id or URL).',
    );
    expect(
      reply(job, ...kept, { type: 'ticket', ticket: { opened: false, error: 'https://x answered 400' } }),
    ).toBe('⚠️ No ticket was opened for gpu-1: https://x answered 400. gpu-1 stays out; open one by hand.');
  });

  it('gives a denial with the reason as typed, and a failure with where it stopped', () => {
    expect(reply(job, { type: 'deny', by: 'U0DENIER', via: 'slack', reason: 'not now' })).toBe(
      '🚫 Denied by <@U0DENIER> at 14:02 UTC: not now',
    );
    expect(reply(job, APPROVE, { type: 'fail', reason: 'drain timed out after 6h on gpu-1' })).toBe(
      '⚠️ *Stopped in draining*, a human is needed: drain timed out after 6h on gpu-1',
    );
  });

  it('escapes reasons from outside and stays within a section', () => {
    const line = reply(job, APPROVE, { type: 'fail', reason: `<!channel> ${'z'.repeat(10_000)}` });
    expect(line).not.toContain('<!channel>');
    expect(line.length).toBeLessThanOrEqual(3000);
    expect(line).toMatch(/\(cut: [\d,]+ more characters\)$/);
  });
});

describe('progressReply', () => {
  it('passes a progress line through, escaped and cut', () => {
    expect(progressReply('gpu-1 is draining; Slurm jobs still running: 12 (alice)')).toBe(
      'gpu-1 is draining; Slurm jobs still running: 12 (alice)',
    );
    expect(progressReply('reason <@U1> & more')).toBe('reason &lt;@U1&gt; &amp; more');
    expect(progressReply('x'.repeat(9000)).length).toBeLessThanOrEqual(3000);
  });
});
