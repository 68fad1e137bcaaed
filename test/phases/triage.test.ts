import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { triage } from '../../src/phases/triage.js';
import { healthyNode } from '../support/gpu-standins.js';
import { EVENTS, type Pipeline, SECOND_ON_GPU1, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

/** Through drain, schedule, maintenance and health: triage is next. */
async function checkedJob(which: keyof typeof EVENTS): Promise<MaintenanceJob> {
  const { id, node } = EVENTS[which];
  const job = await pipeline.runUntil(await pipeline.approvedJob(id, node), 'triage');
  expect(job.phase).toBe('triage');
  return job;
}

const failingGpus = () =>
  pipeline.standins.answer('nvidia-smi', {
    '-q': { fixture: 'nvidia-smi/q_a10_1gpu_drv535_remapped-rows-pending.txt' },
    'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
  });

const resumes = () => pipeline.slurmUpdates.filter((u) => u.update.state === 'RESUME');

describe('triage phase', () => {
  it('resumes a node Pitstop drained that passed its checks', async () => {
    const job = await checkedJob('flex');
    expect(job.verdict?.status).toBe('PASS');

    const action = await triage(job, pipeline.context());

    expect(action).toEqual({
      type: 'triaged',
      result: 'resumed',
      reason: 'gpu-1 passed its checks and is back in service',
    });
    const status = await pipeline.cluster.status('gpu-1');
    expect([status.drain, status.reason]).toEqual(['none', undefined]);
  });

  it('resumes once: run again after a crash, it finds the node in service and says so', async () => {
    const job = await checkedJob('flex');
    await triage(job, pipeline.context());
    expect(await triage(job, pipeline.context())).toMatchObject({ type: 'triaged', result: 'resumed' });
    expect(resumes()).toHaveLength(1);
  });

  it('keeps a node that FAILED its checks out with our reason, listing the reasons and what to do', async () => {
    await failingGpus();
    const job = await checkedJob('flex');
    expect(job.verdict?.status).toBe('FAIL');

    const action = await triage(job, pipeline.context());

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    const reason = action.type === 'triaged' ? action.reason : '';
    expect(reason).toMatch(/^gpu-1 kept out \(DRAIN\); health FAIL: gpu-count: 1 of 8 GPUs visible/);
    expect(reason).toMatch(/Recommended: \w/);
    const status = await pipeline.cluster.status('gpu-1');
    expect(status.drain).toBe('drained');
    expect(status.reason).toMatch(
      new RegExp(`^pitstop ${job.id}: health FAIL: gpu-count: 1 of 8 GPUs visible`),
    );
    expect(resumes()).toEqual([]);
  });

  it('keeps the node out as DOWN with FAIL_MODE=DOWN', async () => {
    await failingGpus();
    const job = await checkedJob('flex');
    await triage(job, pipeline.context({ settings: { failMode: 'DOWN' } }));
    expect(pipeline.slurmUpdates.at(-1)).toMatchObject({ node: 'gpu-1', update: { state: 'DOWN' } });
  });

  it('never resumes a node someone else drained, even after a PASS', async () => {
    pipeline.slurm.drainAs('bob', 'gpu-1', 'bad DIMM, ticket 42');
    const job = await checkedJob('flex');
    expect([job.drainedBy, job.verdict?.status]).toEqual(['other', 'PASS']);

    const action = await triage(job, pipeline.context());

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    // Who holds it, why and since when, and how to release it by hand.
    expect(action.type === 'triaged' && action.reason).toMatch(
      /^gpu-1 passed its checks but this job did not drain it, so it stays out: gpu-1 was drained by bob at \S+ with reason "bad DIMM, ticket 42", not by Pitstop\. Release it by hand once that reason is settled: scontrol update NodeName=gpu-1 State=RESUME$/,
    );
    const status = await pipeline.cluster.status('gpu-1');
    expect([status.drain, status.reason, status.reasonUser]).toEqual([
      'drained',
      'bad DIMM, ticket 42',
      'bob',
    ]);
    expect(pipeline.slurmUpdates).toEqual([]);
  });

  it('keeps the node out when someone else took it over after our drain: Slurm refuses to resume it', async () => {
    const job = await checkedJob('flex');
    pipeline.slurm.drainAs('bob', 'gpu-1', 'checking the NIC');

    const action = await triage(job, pipeline.context());

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    expect(action.type === 'triaged' && action.reason).toMatch(
      /^gpu-1 passed its checks but gpu-1 was drained by bob/,
    );
    expect(resumes()).toEqual([]);
  });

  it('keeps the node out when OCI says the maintenance FAILED (no health check is run)', async () => {
    const job = await checkedJob('failing');
    expect([job.maintenanceState, job.verdict]).toEqual(['FAILED', undefined]);

    const action = await triage(job, pipeline.context());

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    expect((await pipeline.cluster.status('gpu-3')).reason).toBe(
      `pitstop ${job.id}: OCI reports the maintenance FAILED`,
    );
  });

  it("after a PASS, never resumes a node kept out by an earlier job's FAIL; says who holds it and how to release it", async () => {
    await pipeline.stop();
    pipeline = await startPipeline({ secondOnGpu1: true });
    await failingGpus();
    const first = await checkedJob('flex');
    expect(await triage(first, pipeline.context())).toMatchObject({ result: 'kept_out' });
    const failReason = (await pipeline.cluster.status('gpu-1')).reason;
    expect(failReason).toMatch(new RegExp(`^pitstop ${first.id}: health FAIL`));

    await healthyNode(pipeline.standins);
    const second = await pipeline.runUntil(await pipeline.approvedJob(SECOND_ON_GPU1.id, 'gpu-1'), 'triage');
    expect([second.drainedBy, second.verdict?.status]).toEqual(['other', 'PASS']);
    const action = await triage(second, pipeline.context());

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    const reason = action.type === 'triaged' ? action.reason : '';
    expect(reason).toMatch(/^gpu-1 passed its checks but this job did not drain it, so it stays out: /);
    expect(reason).toContain(`with reason "${failReason}", held for job ${first.id}.`);
    expect(reason).toMatch(
      /Release it by hand once that reason is settled: scontrol update NodeName=gpu-1 State=RESUME$/,
    );
    expect((await pipeline.cluster.status('gpu-1')).reason).toBe(failReason);
    expect(resumes()).toEqual([]);
  });

  it('after a PASS, hands its drain to the next open job on the node instead of resuming it', async () => {
    await pipeline.stop();
    pipeline = await startPipeline({ secondOnGpu1: true });
    const next = await pipeline.approvedJob(SECOND_ON_GPU1.id, 'gpu-1');
    const job = await checkedJob('flex');
    const context = pipeline.context({ otherJobsOnNode: () => [next] });

    const action = await triage(job, context);

    expect(action).toEqual({
      type: 'triaged',
      result: 'kept_out',
      reason: `gpu-1 passed its checks; it stays drained for job ${next.id} (event ${next.eventId}), the next open job on gpu-1`,
    });
    expect((await pipeline.cluster.status('gpu-1')).reason).toBe(
      `pitstop ${next.id}: HPCGPU-0001-01 ${SECOND_ON_GPU1.id}`,
    );
    // Run again after a crash: handed over again, never resumed.
    expect(await triage(job, context)).toEqual(action);
    expect(resumes()).toEqual([]);
  });
});
