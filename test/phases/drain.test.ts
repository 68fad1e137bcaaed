import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain } from '../../src/phases/drain.js';
import { abortWhen, EVENTS, type Pipeline, SECOND_ON_GPU1, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

const { id: eventId, node } = EVENTS.flex;

describe('drain phase', () => {
  it('drains with our reason and waits, naming the Slurm jobs that still hold the node', async () => {
    const slurmJob = pipeline.slurm.submit(node, { durationMs: 40 * 60_000, user: 'alice', name: 'llm' });
    const job = await pipeline.approvedJob(eventId, node);

    const action = await drain(job, pipeline.context());

    expect(action).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    const status = await pipeline.cluster.status(node);
    expect(status.drain).toBe('drained');
    expect(status.reason).toBe(`pitstop ${job.id}: HPCRDMA-0002-02 ${eventId}`);
    expect(
      pipeline.thread.some((line) => line.includes(`Slurm jobs still running: ${slurmJob} (alice, llm`)),
    ).toBe(true);
  });

  it('leaves a node someone else drained as it is, and records it as theirs', async () => {
    pipeline.slurm.drainAs('bob', node, 'bad DIMM, ticket 42');
    const job = await pipeline.approvedJob(eventId, node);

    const action = await drain(job, pipeline.context());

    expect(action).toEqual({ type: 'drained', drainedBy: 'other' });
    const status = await pipeline.cluster.status(node);
    expect([status.reason, status.reasonUser]).toEqual(['bad DIMM, ticket 42', 'bob']);
    expect(pipeline.slurmUpdates).toEqual([]);
    expect(pipeline.thread.join('\n')).toContain('not by Pitstop');
  });

  it("never claims an operator's hold from pitstop node drain: it stays theirs", async () => {
    // What `pitstop node drain gpu-1 --reason "bad GPU"` sends.
    await pipeline.cluster.drain(node, 'pitstop: bad GPU');
    const job = await pipeline.approvedJob(eventId, node);

    expect(await drain(job, pipeline.context())).toEqual({ type: 'drained', drainedBy: 'other' });
    expect((await pipeline.cluster.status(node)).reason).toBe('pitstop: bad GPU');
    expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN']);
    expect(pipeline.thread.join('\n')).toContain("an operator's hold through pitstop node drain");
  });

  it("never claims a drain another job left (it stopped for a human): it stays that job's", async () => {
    await pipeline.stop();
    pipeline = await startPipeline({ secondOnGpu1: true });
    const first = await pipeline.approvedJob(eventId, node);
    expect(await drain(first, pipeline.context())).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    // The first job stops here for a human (say its schedule failed): its drain stays.
    const second = await pipeline.approvedJob(SECOND_ON_GPU1.id, node);

    expect(await drain(second, pipeline.context())).toEqual({ type: 'drained', drainedBy: 'other' });
    expect((await pipeline.cluster.status(node)).reason).toBe(
      `pitstop ${first.id}: HPCRDMA-0002-02 ${eventId}`,
    );
    expect(pipeline.thread.at(-1)).toContain(`held for job ${first.id}`);
  });

  it('after a crash between its drain and the store write, recognises the drain as its own and only waits', async () => {
    const job = await pipeline.approvedJob(eventId, node);
    await drain(job, pipeline.context());
    // The store never heard of it: the phase runs again on a node drained with this job's reason.
    expect(await drain(job, pipeline.context())).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN']);
  });

  it('after a crash while waiting, does not drain again: it only waits', async () => {
    pipeline.slurm.submit(node, { durationMs: 40 * 60_000 });
    const job = await pipeline.approvedJob(eventId, node);
    const crash = abortWhen(pipeline, /Slurm jobs still running/);

    await expect(drain(job, pipeline.context({ signal: crash.signal }))).rejects.toThrow(/Pitstop stopped/);
    expect((await pipeline.cluster.status(node)).drain).toBe('draining');

    expect(await drain(job, pipeline.context())).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN']);
  });

  it('stops for a human at DRAIN_TIMEOUT, naming the node, the event and the Slurm jobs still running', async () => {
    const slurmJob = pipeline.slurm.submit(node, { durationMs: 48 * 3_600_000, name: 'forever' });
    const job = await pipeline.approvedJob(eventId, node);

    const action = await drain(job, pipeline.context({ settings: { drainTimeoutMs: 3_600_000 } }));

    expect(action.type).toBe('fail');
    const reason = action.type === 'fail' ? action.reason : '';
    expect(reason).toContain(`drain of ${node} (event ${eventId}) stopped`);
    expect(reason).toContain(`Slurm jobs still running: ${slurmJob} (alice, forever`);
    expect(reason).toMatch(/DRAIN_TIMEOUT/);
  });

  it('turns a Slurm error into a fail that names the node and the event', async () => {
    const job = { ...(await pipeline.approvedJob(eventId, node)), node: 'gpu-99' };
    const action = await drain(job, pipeline.context());
    expect(action).toMatchObject({ type: 'fail' });
    expect(action.type === 'fail' && action.reason).toMatch(
      new RegExp(
        `^drain of gpu-99 \\(event ${eventId.replace(/\./g, '\\.')}\\) stopped: .*gpu-99.*not found`,
      ),
    );
  });
});
