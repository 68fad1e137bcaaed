import { describe, expect, it } from 'vitest';
import { AuditRecord } from '../../commands/context.js';
import { runCommand } from '../../commands/index.js';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';
import { allTexts, blockKitViolations } from '../slack/blocks/block-kit-limits.js';
import { APPROVE, applied, awaiting, failVerdict } from '../slack/blocks/jobs.js';
import { fakeContext } from './fake-context.js';

const EVENT = 'ocid1.instancemaintenanceevent.oc1.iad.aaaa1';
const OTHER_EVENT = 'ocid1.instancemaintenanceevent.oc1.iad.bbbb2';

const twoJobs = (): MaintenanceJob[] => [
  awaiting(),
  { ...applied(awaiting({ id: OTHER_EVENT }), APPROVE), node: 'gpu-2' },
];

describe('approve and deny', () => {
  it('approve decides as the caller via slack, and tells the channel', async () => {
    const { ctx, calls, jobs } = fakeContext({ jobs: twoJobs() });
    const answer = await runCommand('approve gpu-1', ctx);
    expect(calls.decide).toEqual([
      { ref: 'gpu-1', decision: { type: 'approve', by: 'U0APPROVER', via: 'slack' } },
    ]);
    expect(jobs[0]!.phase).toBe('draining');
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toContain('Approved by <@U0APPROVER>');
    expect(answer.text).toContain(EVENT);
    expect(answer.text).toContain('gpu-1');
  });

  it('deny takes a quoted reason as typed, and the answer escapes it', async () => {
    const { ctx, calls } = fakeContext({ jobs: twoJobs() });
    const answer = await runCommand(`deny ${EVENT} "run <until> Friday & $(rm -rf /)"`, ctx);
    expect(calls.decide[0]!.decision).toEqual({
      type: 'deny',
      by: 'U0APPROVER',
      via: 'slack',
      reason: 'run <until> Friday & $(rm -rf /)',
    });
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toContain(
      'Denied by <@U0APPROVER> at 14:02 UTC: run &lt;until&gt; Friday &amp; $(rm -rf /)',
    );
  });

  it('refuses someone who is not an approver, audits the attempt and decides nothing', async () => {
    const { ctx, calls, jobs } = fakeContext({ caller: 'U0STRANGER', jobs: twoJobs() });
    for (const text of ['approve gpu-1', 'deny gpu-1 no', 'pause', 'unpause', 'health gpu-1']) {
      const answer = await runCommand(text, ctx);
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain("Only Pitstop's approvers");
    }
    expect(calls.decide).toEqual([]);
    expect(calls.health).toEqual([]);
    expect(calls.refusals.map((r) => [r.by, r.subcommand])).toEqual([
      ['U0STRANGER', 'approve'],
      ['U0STRANGER', 'deny'],
      ['U0STRANGER', 'pause'],
      ['U0STRANGER', 'unpause'],
      ['U0STRANGER', 'health'],
    ]);
    expect(jobs[0]!.phase).toBe('awaiting_approval');
    expect(ctx.paused()).toBeUndefined();
  });

  it('answers what the system refuses with its message, only to the caller', async () => {
    const { ctx } = fakeContext({ jobs: twoJobs() });
    const again = await runCommand('approve gpu-2', ctx);
    expect(again.response_type).toBe('ephemeral');
    expect(again.text).toMatch(/^Could not approve: .*only a job awaiting approval can be approved/);
    const unknown = await runCommand('approve gpu-9', ctx);
    expect(unknown.text).toContain('no active job for gpu-9');
  });
});

describe('bad arguments and injection attempts', () => {
  it.each([
    ['approve', 'approve <event|node>'],
    ['approve gpu-1; rm -rf /', 'approve <event|node>'],
    ['approve $(whoami)', 'approve <event|node>'],
    ['status `id`', 'status <node|event>'],
    ['status gpu-1 extra', 'status <node|event>'],
    ['deny ocid1.instancemaintenanceevent.oc1.iad.x&y', 'deny <event|node> [reason]'],
    [`deny gpu-1 ${'r'.repeat(600)}`, 'deny <event|node> [reason]'],
    ['list nonsense', 'list [phase]'],
    ['history ../../etc/passwd', 'history <node>'],
    ['health gpu-1 && reboot', 'health <node>'],
  ])('%s → the usage line, and nothing done', async (text, usage) => {
    const { ctx, calls } = fakeContext({ jobs: twoJobs() });
    const answer = await runCommand(text, ctx);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain(`Usage: \`/pitstop ${escapeMrkdwn(usage)}\``);
    expect(answer.text).not.toMatch(/<[^@]/);
    expect(calls.decide).toEqual([]);
    expect(calls.health).toEqual([]);
  });

  it('refuses newlines and 10 KB of text before reading any subcommand', async () => {
    const { ctx, calls } = fakeContext({ jobs: twoJobs() });
    for (const text of ['approve gpu-1\nrm -rf /', `approve ${'a'.repeat(10_240)}`, 'deny gpu-1 "open']) {
      const answer = await runCommand(text, ctx);
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain('Usage: `/pitstop help`');
    }
    expect(calls.decide).toEqual([]);
  });

  it('answers an unknown subcommand with every usage, escaped', async () => {
    const answer = await runCommand('<!channel>', fakeContext({}).ctx);
    expect(answer.text).toContain('no subcommand "&lt;!channel&gt;"');
    expect(answer.text).toContain('help | list [phase] | status &lt;node|event&gt;');
    expect(answer.text).not.toContain('<!channel>');
  });

  it('treats no text as help', async () => {
    expect((await runCommand('', fakeContext({}).ctx)).text).toContain('*Pitstop commands*');
  });
});

describe('list and status', () => {
  it('lists active jobs, or one phase, only to the caller', async () => {
    const { ctx } = fakeContext({ jobs: twoJobs() });
    const all = await runCommand('list', ctx);
    expect(all.response_type).toBe('ephemeral');
    const text = allTexts(all.blocks).join('\n');
    expect(text).toContain('*gpu-1*');
    expect(text).toContain('*gpu-2*');
    expect(text).toContain(OTHER_EVENT);
    const draining = allTexts((await runCommand('list draining', ctx)).blocks).join('\n');
    expect(draining).not.toContain('*gpu-1*');
    expect(draining).toContain('■□□□□□□ 1/7 draining');
    expect((await runCommand('list health', ctx)).text).toBe('No active jobs in health.');
  });

  it('keeps a list of thousands within a message', async () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => ({
      ...awaiting({ id: `ocid1.instancemaintenanceevent.oc1.iad.e${i}` }),
      node: `gpu-${i}`,
    }));
    const answer = await runCommand('list', fakeContext({ jobs }).ctx);
    expect(blockKitViolations({ text: answer.text, blocks: answer.blocks }, 'message')).toEqual([]);
    expect(allTexts(answer.blocks).join('\n')).toMatch(/… and \d+ more: narrow it/);
  });

  it('status finds a job by node or event', async () => {
    const { ctx } = fakeContext({ jobs: twoJobs() });
    const byNode = await runCommand('status gpu-2', ctx);
    expect(byNode.response_type).toBe('ephemeral');
    expect(byNode.text).toContain('■□□□□□□ 1/7 draining');
    expect(byNode.text).toContain('Approved by <@U0APPROVER> at 14:02 UTC');
    const byEvent = await runCommand(`status ${EVENT}`, ctx);
    expect(byEvent.text).toContain('*gpu-1*');
    expect(byEvent.text).toContain('awaiting approval');
  });
});

describe('discover, pause and unpause', () => {
  it('a sweep with nothing new answers the caller only; one with new events tells the channel', async () => {
    const quiet = fakeContext({ sweep: { found: 4, created: 0 } });
    expect(await runCommand('discover', quiet.ctx)).toMatchObject({ response_type: 'ephemeral' });
    const busy = fakeContext({ caller: 'U0STRANGER', sweep: { found: 4, created: 2 } });
    const answer = await runCommand('discover', busy.ctx);
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toContain('2 new');
    expect(busy.calls.sweeps).toBe(1);
  });

  it('pause keeps the reason; unpause lifts it; unpausing twice says so', async () => {
    const { ctx } = fakeContext({});
    const paused = await runCommand('pause "cluster upgrade <tonight>"', ctx);
    expect(paused.response_type).toBe('in_channel');
    expect(paused.text).toContain('Paused by <@U0APPROVER>: cluster upgrade &lt;tonight&gt;');
    expect(ctx.paused()).toMatchObject({ by: 'U0APPROVER', reason: 'cluster upgrade <tonight>' });
    expect((await runCommand('unpause', ctx)).response_type).toBe('in_channel');
    expect(ctx.paused()).toBeUndefined();
    expect(await runCommand('unpause', ctx)).toMatchObject({
      response_type: 'ephemeral',
      text: 'Pitstop is not paused.',
    });
  });
});

describe('history and health', () => {
  it("sums up the node's jobs as pitstop history does, then shows audit records as read from the log, oldest first, escaped, record types it does not know included", async () => {
    const history = [
      { type: 'created', jobId: 'job-1', eventId: EVENT, node: 'gpu-1', at: '2026-12-01T10:00:00Z' },
      {
        type: 'transition',
        jobId: 'job-1',
        eventId: EVENT,
        node: 'gpu-1',
        at: '2026-12-01T11:00:00Z',
        from: 'awaiting_approval',
        to: 'done',
        action: { type: 'deny', by: 'U0DENIER', via: 'slack', reason: '<b>busy</b>' },
      },
      {
        type: 'finished',
        jobId: 'job-1',
        eventId: EVENT,
        node: 'gpu-1',
        at: '2026-12-01T11:00:00Z',
        outcome: 'denied',
        job: { eventId: EVENT, outcome: 'denied' },
      },
      { type: 'refused', at: '2026-12-01T11:05:00Z', eventId: EVENT, by: 'U0STRANGER' },
    ].map((record) => AuditRecord.parse(record));
    const answer = await runCommand('history gpu-1', fakeContext({ history }).ctx);
    expect(answer.response_type).toBe('ephemeral');
    const lines = allTexts(answer.blocks).join('\n').split('\n');
    expect(lines).toEqual([
      // The job as \`pitstop history\` sums it up, then each record.
      `*denied* · denied by U0DENIER · awaiting_approval 1h · \`${EVENT}\``,
      `2026-12-01 10:00 UTC · created · \`${EVENT}\``,
      `2026-12-01 11:00 UTC · awaiting_approval → done (deny by U0DENIER: &lt;b&gt;busy&lt;/b&gt;) · \`${EVENT}\``,
      `2026-12-01 11:00 UTC · finished: denied · \`${EVENT}\``,
      `2026-12-01 11:05 UTC · refused · \`${EVENT}\``,
    ]);
  });

  it('health answers at once in the channel and puts the verdict in the thread', async () => {
    const { ctx, calls } = fakeContext({ health: async () => failVerdict });
    const answer = await runCommand('health gpu-1', ctx);
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toContain('the verdict follows in this thread');
    expect(calls.health).toEqual(['gpu-1']);
    const reply = await answer.threadReply!;
    expect(reply).toContain('*Health FAIL* on gpu-1');
    expect(reply).toContain('❌ ecc (GPU 0000:1B:00.0): DBE count 2');
  });

  it('health says in the thread when the checks could not run', async () => {
    const { ctx } = fakeContext({
      health: () => Promise.reject(new Error('ssh to gpu-1 refused <port 22>')),
    });
    const answer = await runCommand('health gpu-1', ctx);
    await expect(answer.threadReply).resolves.toBe(
      '❓ The health checks of gpu-1 could not run: ssh to gpu-1 refused &lt;port 22&gt;',
    );
  });
});
