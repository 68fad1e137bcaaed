import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain } from '../../src/phases/drain.js';
import { abortWhen, EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

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
    expect(status.reason).toBe(`pitstop: HPCRDMA-0002-02 ${eventId}`);
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
