import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobAction, newJob } from '../../src/domain/job.js';
import { historyRows } from '../../src/history/rows.js';
import { ManualClock } from '../../src/sim/clock.js';
import { scanAudit } from '../../src/store/audit-reader.js';
import { JobStore } from '../../src/store/job-store.js';
import { sampleEvent } from '../support/events.js';

let store: JobStore;
let auditFile: string;
let clock: ManualClock;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-history-'));
  auditFile = join(dir, 'audit.jsonl');
  clock = new ManualClock('2026-12-01T09:00:00Z');
  store = await JobStore.open({ stateFile: join(dir, 'state.json'), auditFile, clock });
});
afterEach(() => store.close());

const audit = () => scanAudit(auditFile, () => true);

describe('historyRows', () => {
  it('builds a running job from its transitions when the state file does not hold it', async () => {
    const job = await store.create(newJob(sampleEvent(), clock.now(), 'gpu-1'));
    clock.advance(60_000);
    await store.apply(job.id, { type: 'approve', by: 'U0ALICE', via: 'slack' });
    clock.advance(5 * 60_000);
    await store.apply(job.id, { type: 'drained', drainedBy: 'pitstop' });
    await store.writeAudit({ type: 'paused', by: 'U0BOB', reason: 'freeze' });

    const [fromAudit] = historyRows(await audit(), []);
    expect(fromAudit).toEqual({
      jobId: job.id,
      eventId: job.eventId,
      node: 'gpu-1',
      decision: 'approved',
      approver: 'U0ALICE',
      outcome: 'running',
      phase: 'scheduling',
      created: '2026-12-01T09:00:00.000Z',
      phases: [
        { phase: 'awaiting_approval', start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T09:01:00.000Z' },
        { phase: 'draining', start: '2026-12-01T09:01:00.000Z', end: '2026-12-01T09:06:00.000Z' },
        { phase: 'scheduling', start: '2026-12-01T09:06:00.000Z' },
      ],
    });
    // The state file's job also knows the event's fault; the rest is the same.
    const [fromState] = historyRows(await audit(), store.list());
    expect(fromState).toEqual({ ...fromAudit, fault: expect.any(String) });
  });

  it('shows a finished job from its finished record, with its ticket', async () => {
    const job = await store.create(newJob(sampleEvent(), clock.now(), 'gpu-1'));
    const actions: JobAction[] = [
      { type: 'approve', by: 'U0ALICE', via: 'cli' },
      { type: 'drained', drainedBy: 'pitstop' },
      { type: 'scheduled', windowStart: '2026-12-01T09:05:00Z' },
      { type: 'maintenance_ended', state: 'FAILED' },
      { type: 'triaged', result: 'kept_out', reason: 'OCI reports the maintenance FAILED' },
      { type: 'ticket', ticket: { opened: true, id: 'OPS-3', url: 'https://jira.example/browse/OPS-3' } },
      { type: 'recorded' },
    ];
    for (const action of actions) {
      clock.advance(60_000);
      await store.apply(job.id, action);
    }
    const [row] = historyRows(await audit(), store.list());
    expect(row).toMatchObject({
      outcome: 'kept_out',
      phase: 'done',
      finished: '2026-12-01T09:07:00.000Z',
      ticket: 'https://jira.example/browse/OPS-3',
    });
    expect(row!.phases.map((p) => p.phase)).toEqual([
      'awaiting_approval',
      'draining',
      'scheduling',
      'maintenance',
      'triage',
      'bookkeeping',
    ]);
    // The ticket step stays in bookkeeping: one span, from triage's end to the record.
    expect(row!.phases.at(-1)).toEqual({
      phase: 'bookkeeping',
      start: '2026-12-01T09:05:00.000Z',
      end: '2026-12-01T09:07:00.000Z',
    });
  });
});
