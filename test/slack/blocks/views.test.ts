import { describe, expect, it } from 'vitest';
import { type MaintenanceJob, Phase } from '../../../src/domain/job.js';
import type { NodeStatus } from '../../../src/domain/node.js';
import { appHomeView } from '../../../src/slack/blocks/app-home.js';
import { denyModal } from '../../../src/slack/blocks/deny-modal.js';
import { digestMessage } from '../../../src/slack/blocks/digest-message.js';
import { ACTION_IDS, DENY_MODAL } from '../../../src/slack/blocks/ids.js';
import { allTexts, blockKitViolations } from './block-kit-limits.js';
import { APPROVE, applied, awaiting, DRAINED, SCHEDULED } from './jobs.js';

const manyJobs = (count: number, overrides: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => ({
    ...awaiting({ id: `ocid1.instancemaintenanceevent.oc1.iad.e${i}`, ...overrides }),
    node: `gpu-${i}`,
  }));

describe('digestMessage', () => {
  it('lists the new events with one Approve all, confirmed, carrying the digest id', () => {
    const msg = digestMessage({ id: 'digest-1', jobs: manyJobs(6) });
    const text = allTexts(msg.blocks).join('\n');
    for (let i = 0; i < 6; i++) expect(text).toContain(`*gpu-${i}*`);
    const buttons = msg.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({
      action_id: ACTION_IDS.approveAll,
      value: 'digest-1',
      style: 'primary',
    });
    expect(buttons[0]).toHaveProperty('confirm.title.text', 'Approve 6 maintenance events?');
    expect(msg.text).toContain('6 new maintenance events');
  });

  it('stays within the limits for thousands of events, counting those not listed', () => {
    const jobs = manyJobs(3000, { description: 'y'.repeat(5000), maintenanceCategory: 'z'.repeat(3000) });
    const msg = digestMessage({ id: 'digest-2', jobs });
    expect(blockKitViolations({ ...msg }, 'message')).toEqual([]);
    const text = allTexts(msg.blocks).join('\n');
    const listed = (text.match(/^• /gm) ?? []).length;
    expect(text).toContain(`… and ${3000 - listed} more, each in its own message`);
  });

  it('says which events cannot be approved because they have no node', () => {
    const jobs: MaintenanceJob[] = [...manyJobs(5), { ...awaiting(), node: undefined }];
    expect(allTexts(digestMessage({ id: 'd', jobs }).blocks).join('\n')).toContain(
      '1 are not mapped to a Slurm node yet',
    );
  });
});

describe('denyModal', () => {
  const job = awaiting();
  const modal = denyModal(job);

  it('carries the ids the view listener matches on', () => {
    expect(modal).toMatchObject({
      type: 'modal',
      callback_id: DENY_MODAL.callbackId,
      private_metadata: job.id,
    });
    expect(modal.submit?.text).toBe('Deny');
    const input = modal.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({
      block_id: DENY_MODAL.reasonBlockId,
      element: { type: 'plain_text_input', action_id: DENY_MODAL.reasonActionId, multiline: true },
    });
  });

  it('names the node and the event, within the limits of a modal', () => {
    const text = allTexts(modal.blocks).join('\n');
    expect(text).toContain('gpu-1');
    expect(text).toContain(job.eventId);
    expect(blockKitViolations({ ...modal }, 'view')).toEqual([]);
  });
});

const nodeOut = (i: number, reason: string, reasonUser?: string): NodeStatus => ({
  name: `gpu-${i}`,
  state: 'IDLE',
  flags: ['DRAIN'],
  drain: 'drained',
  responding: true,
  reason,
  reasonUser,
  gpus: 8,
  partitions: ['gpu'],
});

describe('appHomeView', () => {
  const at = '2026-12-01T14:02:00Z';

  it('shows jobs by phase, nodes out and who holds them, outcomes, and that it is paused', () => {
    const working = applied(
      awaiting({ id: 'ocid1.instancemaintenanceevent.oc1.iad.w' }),
      APPROVE,
      DRAINED,
      SCHEDULED,
    );
    const view = appHomeView({
      at,
      jobs: [awaiting(), working],
      nodesOut: [
        nodeOut(1, 'pitstop job-0123456789abcdef: HPCRDMA-0002-02 ocid1...'),
        nodeOut(2, 'bad DIMM', 'root'),
        nodeOut(3, 'pitstop: bad GPU', 'alice'),
      ],
      recent: [{ ...working, phase: 'done', outcome: 'returned', reason: 'gpu-1 passed its checks' }],
      paused: { by: 'U0OPS', reason: 'cluster upgrade', at },
    });
    const text = allTexts(view.blocks).join('\n');
    expect(text).toContain('*awaiting approval* (1)');
    expect(text).toContain('*maintenance* (1)');
    expect(text).toContain('■■■□□□□ 3/7 maintenance');
    expect(text).toContain('*gpu-1* IDLE+DRAIN, held by Pitstop (job-0123456789abcdef)');
    expect(text).toContain(
      '*gpu-3* IDLE+DRAIN, held by alice, a hand hold (pitstop node drain): pitstop: bad GPU',
    );
    expect(text).toContain('*gpu-2* IDLE+DRAIN, held by root: bad DIMM');
    expect(text).toContain('returned at 2026-12-01 14:02 UTC — gpu-1 passed its checks');
    expect(text).toContain('*Paused* by <@U0OPS> at 2026-12-01 14:02 UTC: cluster upgrade');
    expect(view.type).toBe('home');
  });

  it('says running when not paused, and says so when lists are empty', () => {
    const text = allTexts(appHomeView({ at, jobs: [], nodesOut: [], recent: [] }).blocks).join('\n');
    expect(text).toContain('*Running*');
    expect(text).toContain('No active jobs.');
    expect(text).toContain('Every node is in service.');
  });

  it('stays within 100 blocks and every limit whatever the numbers', () => {
    const jobs = manyJobs(2000, { description: 'd'.repeat(4000) }).map((job, i) => ({
      ...job,
      // Every phase but done, in turn.
      phase: Phase.options[i % (Phase.options.length - 1)]!,
      reason: `<!channel> ${'r'.repeat(1000)}`,
    }));
    const view = appHomeView({
      at,
      jobs,
      nodesOut: Array.from({ length: 5000 }, (_, i) => nodeOut(i, 'x'.repeat(500), 'someone')),
      recent: jobs.map((job) => ({ ...job, phase: 'done' as const, outcome: 'kept_out' as const })),
      paused: { by: 'cli-user', reason: 'p'.repeat(5000), at },
    });
    expect(blockKitViolations({ ...view }, 'view')).toEqual([]);
    const text = allTexts(view.blocks).join('\n');
    expect(text).not.toContain('<!channel>');
    expect(text).toMatch(/… and \d+ more nodes/);
    expect(text).toMatch(/… and \d+ more jobs/);
  });
});
