import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { health } from '../../src/phases/health.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

const { id: eventId, node } = EVENTS.flex;

/** Drained, maintained by OCI (the node rebooted meanwhile): the health checks are next. */
const maintainedJob = async () => pipeline.runUntil(await pipeline.approvedJob(eventId, node), 'health');

describe('health phase', () => {
  it('waits for slurmd to register after OCI began the maintenance, then judges the GPUs: PASS', async () => {
    const job = await maintainedJob();
    const { timeStarted } = await pipeline.oci.cloud.getEvent(eventId);
    expect(timeStarted).toBeDefined();

    const action = await health(job, pipeline.context());

    expect(action).toMatchObject({ type: 'health_checked', verdict: { status: 'PASS', reasons: [] } });
    expect(pipeline.thread).toContain(`${node}: waiting for slurmd to re-register after ${timeStarted}`);
    const status = await pipeline.cluster.status(node);
    expect(new Date(status.slurmdStartTime!).getTime()).toBeGreaterThan(new Date(timeStarted!).getTime());
  });

  it('returns a FAIL verdict with its reasons, not a failed job', async () => {
    const job = await maintainedJob();
    await pipeline.standins.answer('nvidia-smi', {
      '-q': { fixture: 'nvidia-smi/q_a10_1gpu_drv535_remapped-rows-pending.txt' },
      'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
    });
    const action = await health(job, pipeline.context());
    expect(action.type).toBe('health_checked');
    const verdict = action.type === 'health_checked' ? action.verdict : undefined;
    expect(verdict?.status).toBe('FAIL');
    expect(verdict?.reasons.join('\n')).toMatch(/^gpu-count: 1 of 8 GPUs visible/m);
  });

  it('returns ERROR, naming the node, when the node does not come back in time', async () => {
    const job = await maintainedJob();
    // Its slurmd stops again after the maintenance and Slurm notices: it is not back.
    pipeline.slurm.stopSlurmd(node);
    pipeline.clock.advance(60_000);
    const action = await health(job, pipeline.context({ settings: { backTimeoutMs: 30 * 60_000 } }));
    expect(action).toMatchObject({ type: 'health_checked', verdict: { status: 'ERROR' } });
    expect(action.type === 'health_checked' && action.verdict.reasons[0]).toMatch(
      /^node-back: gpu-1 did not come back/,
    );
  });

  it('waits for a node that never returns exactly BACK_TIMEOUT, not BACK_TIMEOUT + HEALTH_TIMEOUT', async () => {
    const job = await maintainedJob();
    pipeline.slurm.stopSlurmd(node);
    pipeline.clock.advance(60_000);
    const started = pipeline.clock.now().getTime();
    const action = await health(job, pipeline.context({ settings: { backTimeoutMs: 2 * 3_600_000 } }));
    expect(action).toMatchObject({ type: 'health_checked', verdict: { status: 'ERROR' } });
    expect(pipeline.clock.now().getTime() - started).toBe(2 * 3_600_000);
  });
});
