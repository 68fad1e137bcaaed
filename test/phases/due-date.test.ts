import { afterEach, describe, expect, it } from 'vitest';
import { type MaintenanceJob, transition } from '../../src/domain/job.js';
import { drain } from '../../src/phases/drain.js';
import { schedule } from '../../src/phases/schedule.js';
import { EVENTS, type Pipeline, SETTINGS, START, startPipeline } from '../support/pipeline.js';

const HOUR = 3_600_000;
const { id: eventId, node } = EVENTS.flex;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

/** The flex event with its hard due date (and OCI's window) `dueInMs` after the start. */
async function dueIn(dueInMs: number): Promise<{ p: Pipeline; due: Date }> {
  const due = new Date(START.getTime() + dueInMs);
  pipeline = await startPipeline({ dueAt: { [eventId]: due } });
  return { p: pipeline, due };
}

const apply = (p: Pipeline, job: MaintenanceJob, action: Parameters<typeof transition>[1]) =>
  transition(job, action, p.clock.now());

const updates = (p: Pipeline) =>
  p.oci.sim.requests.filter((r) => r.operation === 'updateInstanceMaintenanceEvent');

describe('drain near the hard due date', () => {
  it('warns once DUE_WARNING before it, naming the Slurm jobs; at the due date leaves the job to OCI, which it follows to the end', async () => {
    const { p, due } = await dueIn(5 * HOUR);
    const slurmJob = p.slurm.submit(node, { durationMs: 48 * HOUR, user: 'alice', name: 'llm' });
    let job = await p.approvedJob(eventId, node);

    const warned = await drain(job, p.context());
    expect(warned.type).toBe('due_warned');
    expect(warned.type === 'due_warned' && warned.slurmJobs).toEqual([
      expect.objectContaining({ id: slurmJob, user: 'alice', name: 'llm' }),
    ]);
    expect(p.clock.now().getTime()).toBeGreaterThanOrEqual(due.getTime() - SETTINGS.dueWarningMs);
    expect(p.clock.now().getTime()).toBeLessThan(due.getTime());
    job = apply(p, job, warned);

    const left = await drain(job, p.context());
    expect(left).toEqual({ type: 'drain_cut_short', dueDateReached: true });
    expect(p.clock.now().toISOString()).toBe(due.toISOString());
    expect((await p.cluster.status(node)).drain).toBe('draining');
    job = apply(p, job, left);
    expect(job).toMatchObject({ phase: 'scheduling', drainedBy: 'pitstop' });
    expect(job.dueDecision).toMatchObject({ choice: 'leave_to_oci', by: 'DUE_DATE', via: 'policy' });

    const scheduled = await schedule(job, p.context());
    expect(scheduled).toEqual({ type: 'scheduled', windowStart: due.toISOString() });
    expect(updates(p)).toEqual([]);
    expect(p.thread.join('\n')).toContain('left to OCI (the hard due date came with no decision)');

    const done = await p.runUntil(apply(p, job, scheduled), 'done');
    expect(done.outcome).toBe('returned');
    expect(p.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
    expect(updates(p)).toHaveLength(1); // only bookkeeping's tag: the window was never moved
  });

  it('warns at once when the warning time had passed at approval', async () => {
    const { p } = await dueIn(HOUR);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    const job = await p.approvedJob(eventId, node);
    expect((await drain(job, p.context())).type).toBe('due_warned');
    expect(p.clock.now()).toEqual(START);
  });

  it('warns of nothing and leaves nothing to OCI for an event with no due date: DRAIN_TIMEOUT as before', async () => {
    pipeline = await startPipeline();
    pipeline.slurm.submit(node, { durationMs: 48 * HOUR });
    const job = await pipeline.approvedJob(eventId, node);
    expect(job.event.timeHardDueDate).toBeUndefined();
    const action = await drain(job, pipeline.context());
    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(/DRAIN_TIMEOUT/);
  });

  it('stops waiting at once when a decision comes, and a proceed schedules the maintenance now', async () => {
    const { p } = await dueIn(10 * HOUR);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    let job = await p.approvedJob(eventId, node);
    const decided = new AbortController();
    let decidedAt: Date | undefined;
    p.onThreadLine((line) => {
      if (line.includes('Slurm jobs still running') && !decided.signal.aborted) {
        decidedAt = p.clock.now();
        job = apply(p, job, { type: 'due_decided', choice: 'proceed', by: 'U0ALICE', via: 'slack' });
        decided.abort();
      }
    });

    const action = await drain(job, p.context({ dueDecided: decided.signal }));
    expect(action).toEqual({ type: 'drain_cut_short', dueDateReached: false });
    expect(p.clock.now()).toEqual(decidedAt);
    job = apply(p, job, action);
    expect(job.reason).toBe('node drained with Slurm jobs still running: U0ALICE chose to proceed now');

    const scheduled = await schedule(job, p.context());
    expect(scheduled.type === 'scheduled' && scheduled.workRequestId).toBeTruthy();
    expect(updates(p)).toHaveLength(1);
  });

  it('after a crash once the decision was stored, cuts the drain short at once without draining twice', async () => {
    const { p } = await dueIn(HOUR);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    let job = await p.approvedJob(eventId, node);
    job = apply(p, job, await drain(job, p.context()));
    job = apply(p, job, { type: 'due_decided', choice: 'leave_to_oci', by: 'cli:ops', via: 'cli' });
    const at = p.clock.now();

    expect(await drain(job, p.context())).toEqual({ type: 'drain_cut_short', dueDateReached: false });
    expect(p.clock.now()).toEqual(at);
    expect(p.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN']);
  });

  it('drains a node first when the decision came before its drain began', async () => {
    const { p } = await dueIn(HOUR);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    const approved = await p.approvedJob(eventId, node);
    const job = apply(p, approved, { type: 'due_decided', choice: 'proceed', by: 'cli:ops', via: 'cli' });

    expect(await drain(job, p.context())).toEqual({ type: 'drain_cut_short', dueDateReached: false });
    expect((await p.cluster.status(node)).drain).toBe('draining');
  });

  it('goes on as usual when the drain finishes after the warning, before any decision', async () => {
    const { p } = await dueIn(5 * HOUR);
    p.slurm.submit(node, { durationMs: 4 * HOUR });
    let job = await p.approvedJob(eventId, node);
    job = apply(p, job, await drain(job, p.context()));
    expect(job.dueWarning).toBeDefined();

    expect(await drain(job, p.context())).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    job = apply(p, job, { type: 'drained', drainedBy: 'pitstop' });
    expect(() =>
      apply(p, job, { type: 'due_decided', choice: 'proceed', by: 'U0BOB', via: 'slack' }),
    ).toThrow(/not needed any more: the drain is over/);
  });

  it('stops for a human, leaving nothing to OCI, when the node was resumed by hand as the decision came', async () => {
    const { p } = await dueIn(10 * HOUR);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    const job = await p.approvedJob(eventId, node);
    const decided = new AbortController();
    p.onThreadLine((line) => {
      if (line.includes('Slurm jobs still running') && !decided.signal.aborted) {
        void p.cluster.resume(node, { force: true });
        decided.abort();
      }
    });

    const action = await drain(job, p.context({ dueDecided: decided.signal }));
    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(
      /no longer carries this job's drain.*neither scheduled nor left to OCI/,
    );
  });

  it('proceeding within LEAD_TIME of the due date asks OCI for the due date, not a window after it', async () => {
    const { p, due } = await dueIn(2 * 60_000);
    p.slurm.submit(node, { durationMs: 48 * HOUR });
    let job = await p.approvedJob(eventId, node);
    job = apply(p, job, await drain(job, p.context()));
    job = apply(p, job, { type: 'due_decided', choice: 'proceed', by: 'U0ALICE', via: 'slack' });
    job = apply(p, job, await drain(job, p.context()));

    const scheduled = await schedule(job, p.context());
    expect(scheduled).toMatchObject({ type: 'scheduled', windowStart: due.toISOString() });
  });
});
