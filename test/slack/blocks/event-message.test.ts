import { describe, expect, it } from 'vitest';
import type { SlurmJob } from '../../../src/domain/node.js';
import { eventMessage } from '../../../src/slack/blocks/event-message.js';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.js';
import { allTexts, blockKitViolations } from './block-kit-limits.js';
import { APPROVE, applied, awaiting, DRAINED, ENDED, passVerdict, SCHEDULED, unmapped } from './jobs.js';

const slurmJob = (id: number, user: string): SlurmJob => ({
  id: String(id),
  user,
  name: `train-${id}`,
  state: 'RUNNING',
  elapsed: '1:00:00',
  timeLimit: '2-00:00:00',
});

const facts = {
  shape: 'BM.GPU.H100.8',
  node: { gpus: 8, gpuType: 'h100', partitions: ['gpu', 'long'] },
  slurmJobs: [slurmJob(1, 'alice'), slurmJob(2, 'bob'), slurmJob(3, 'alice')],
};

const buttons = (msg: ReturnType<typeof eventMessage>) =>
  msg.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));

const all = (msg: ReturnType<typeof eventMessage>) => allTexts(msg.blocks).join('\n');

describe('the event message, awaiting a decision', () => {
  const job = awaiting();
  const msg = eventMessage(job, facts);

  it('names the node and the event in the text fallback', () => {
    expect(msg.text).toContain('gpu-1');
    expect(msg.text).toContain(job.eventId);
  });

  it('shows the facts an approver decides on', () => {
    const text = all(msg);
    for (const fact of [
      'gpu-1',
      'BM.GPU.H100.8',
      'gpu, long',
      '8 × h100',
      'FLEXIBLE',
      'HARDWARE_REPLACEMENT',
      'REBOOT_MIGRATION',
      '2026-12-01 10:00 UTC',
      '2026-12-08 10:00 UTC',
      'HPCRDMA-0002-02',
      'NIC',
      'RDMA link flapping',
      '3 Slurm jobs running (alice ×2, bob)',
    ]) {
      expect(text).toContain(fact);
    }
  });

  it('offers Approve (primary, confirmed) and Deny (danger), both carrying the job id', () => {
    const [approve, deny] = buttons(msg);
    expect(approve).toMatchObject({ action_id: ACTION_IDS.approve, style: 'primary', value: job.id });
    expect(approve).toHaveProperty('confirm.confirm.text', 'Approve');
    expect(approve).toHaveProperty(
      'confirm.text.text',
      expect.stringContaining('drains gpu-1 (its 3 Slurm jobs finish first)'),
    );
    expect(approve).toHaveProperty('text.text', 'Approve');
    expect(deny).toMatchObject({ action_id: ACTION_IDS.deny, style: 'danger', value: job.id });
    expect(deny).toHaveProperty('text.text', 'Deny');
  });

  it('says "not read" rather than zero when facts are missing', () => {
    const text = all(eventMessage(job));
    expect(text).toContain('*Slurm jobs now:* _not read_');
    expect(text).toContain('*GPUs*\n_not read_');
  });

  it('does not offer Approve for an event not mapped to a node (the domain would refuse it)', () => {
    const withoutNode = eventMessage(unmapped());
    expect(buttons(withoutNode).map((b) => (b as { action_id?: string }).action_id)).toEqual([
      ACTION_IDS.deny,
    ]);
    expect(all(withoutNode)).toContain('not mapped to a Slurm node');
  });

  it('stays within every Block Kit limit', () => {
    expect(blockKitViolations({ ...msg }, 'message')).toEqual([]);
  });
});

describe('the event message with hostile and huge input', () => {
  const huge = 'x'.repeat(50_000);
  const job = awaiting({
    description: `<!channel> <https://evil.example|click> & ${huge}`,
    maintenanceCategory: `<!here>${huge}`,
    additionalDetails: {
      faultDetails: JSON.stringify(
        Array.from({ length: 200 }, (_, i) => ({
          faultId: `HPCGPU-${String(i).padStart(4, '0')}-01`,
          faultSummary: `<@U999> ${'y'.repeat(500)}`,
          impactedComponent: 'GPU & NVSwitch',
        })),
      ),
    },
  });
  const msg = eventMessage(job, {
    shape: huge,
    node: { gpus: 8, gpuType: huge, partitions: Array.from({ length: 5000 }, (_, i) => `p${i}`) },
    slurmJobs: Array.from({ length: 10_000 }, (_, i) => slurmJob(i, `user<${i % 700}>`)),
  });

  it('is cut, with a visible note, never over a limit', () => {
    expect(blockKitViolations({ ...msg }, 'message')).toEqual([]);
    expect(all(msg)).toMatch(/\(cut: [\d,]+ more characters\)/);
  });

  it('escapes what came from OCI and Slurm, so no mention or link gets through', () => {
    const text = all(msg);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<@U999>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('GPU &amp; NVSwitch');
    expect(text).toContain('10000 Slurm jobs running');
    expect(text).toContain('695 more users');
  });
});

describe('the event message after a decision', () => {
  it('replaces the buttons by who approved and when, with the progress line', () => {
    const msg = eventMessage(applied(awaiting(), APPROVE, DRAINED), facts);
    expect(buttons(msg)).toEqual([]);
    const text = all(msg);
    expect(text).toContain('Approved by <@U0APPROVER> at 14:02 UTC');
    expect(text).toContain('■■□□□□□ 2/7 scheduling');
    expect(msg.text).toContain('Approved by <@U0APPROVER>');
    expect(blockKitViolations({ ...msg }, 'message')).toEqual([]);
  });

  it('shows a denial with the reason as typed, escaped', () => {
    const reason = 'training run <until> Friday & then some';
    const msg = eventMessage(applied(awaiting(), { type: 'deny', by: 'U0DENIER', via: 'slack', reason }));
    expect(buttons(msg)).toEqual([]);
    expect(all(msg)).toContain(
      'Denied by <@U0DENIER> at 14:02 UTC: training run &lt;until&gt; Friday &amp; then some',
    );
    expect(all(msg)).not.toContain('/7');
  });

  it('names a CLI decider as typed, without a mention', () => {
    const msg = eventMessage(applied(awaiting(), { type: 'approve', by: 'alice', via: 'cli' }));
    expect(all(msg)).toContain('Approved by alice (via cli) at 14:02 UTC');
  });

  it('shows the outcome once done', () => {
    const done = applied(
      awaiting(),
      APPROVE,
      DRAINED,
      SCHEDULED,
      ENDED,
      { type: 'health_checked', verdict: passVerdict },
      { type: 'triaged', result: 'resumed', reason: 'gpu-1 passed its checks and is back in service' },
      { type: 'recorded' },
    );
    const text = all(eventMessage(done, facts));
    expect(text).toContain('Back in service:* gpu-1 passed its checks');
    expect(text).toContain('■■■■■■■ 7/7 done');
  });

  it('shows where a failed job stopped and that a human is needed', () => {
    const failed = applied(awaiting(), APPROVE, {
      type: 'fail',
      reason: 'drain timed out after 6h on gpu-1',
    });
    const text = all(eventMessage(failed));
    expect(text).toContain('a human is needed:* drain timed out after 6h on gpu-1');
    expect(text).toContain('■□□□□□□ 1/7 stopped in draining');
  });
});
