import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { maintenance } from '../../src/phases/maintenance.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

/** Drained and scheduled: the maintenance wait is next. */
async function scheduledJob(which: keyof typeof EVENTS): Promise<MaintenanceJob> {
  const { id, node } = EVENTS[which];
  let job = await pipeline.approvedJob(id, node);
  while (job.phase !== 'maintenance') ({ job } = await pipeline.step(job));
  return job;
}

describe('maintenance phase', () => {
  it('polls the event with back-off until SUCCEEDED, saying each state OCI moves to', async () => {
    const job = await scheduledJob('flex');
    const action = await maintenance(job, pipeline.context());
    expect(action).toEqual({ type: 'maintenance_ended', state: 'SUCCEEDED' });
    const states = pipeline.thread.filter((line) => line.startsWith('OCI event'));
    const seen = states.map((line) => /is (\w+)/.exec(line)?.[1]);
    // Said once per state, not once per poll; a short stage between two polls goes unseen.
    expect(seen).toEqual([...new Set(seen)]);
    expect(seen[0]).toBe('SCHEDULED');
    expect(seen).toContain('PROCESSING');
    // 5 min lead + 21 min of maintenance with polls doubling from 30 s to 10 min: a handful.
    expect(pipeline.oci.sim.count('getInstanceMaintenanceEvent')).toBeLessThan(20);
  });

  it('ends with FAILED when OCI says so, for triage to keep the node out', async () => {
    const job = await scheduledJob('failing');
    expect(await maintenance(job, pipeline.context())).toEqual({
      type: 'maintenance_ended',
      state: 'FAILED',
    });
  });

  it('counts MAINTENANCE_TIMEOUT from the window start: a fixed window days ahead does not use it up', async () => {
    // OCI's fixed window is a day away: a 2 h timeout from now would expire before it begins.
    const job = await scheduledJob('fixed');
    const action = await maintenance(
      job,
      pipeline.context({ settings: { maintenanceTimeoutMs: 2 * 3_600_000 } }),
    );
    expect(action).toEqual({ type: 'maintenance_ended', state: 'SUCCEEDED' });
  });

  it('stops for a human when MAINTENANCE_TIMEOUT passes, with the last state OCI said', async () => {
    const job = await scheduledJob('flex');
    const action = await maintenance(
      job,
      pipeline.context({ settings: { maintenanceTimeoutMs: 10 * 60_000 } }),
    );
    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(
      /^maintenance of gpu-1 \(event \S+\) stopped: gave up waiting for OCI to finish event \S+ on gpu-1 after .*: OCI event \S+ on gpu-1 is PROCESSING\. Raise MAINTENANCE_TIMEOUT/,
    );
  });
});
