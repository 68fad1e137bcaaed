import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MaintenanceJob, retryTokenFor } from '../../src/domain/job.js';
import { bookkeeping } from '../../src/phases/bookkeeping.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

/** Updates other than the schedule's (which carries the job's retry token). */
const tagUpdates = (job: MaintenanceJob) =>
  pipeline.oci.sim.requests.filter(
    (r) => r.operation === 'updateInstanceMaintenanceEvent' && r.retryToken !== retryTokenFor(job),
  );

describe('bookkeeping phase', () => {
  it('tags the finished event with its outcome, once, keeping the other tags', async () => {
    const { id, node } = EVENTS.flex;
    const job = await pipeline.runUntil(await pipeline.approvedJob(id, node), 'bookkeeping');
    expect(job.triage).toBe('resumed');

    expect(await bookkeeping(job, pipeline.context())).toEqual({ type: 'recorded' });
    expect(await bookkeeping(job, pipeline.context())).toEqual({ type: 'recorded' });

    const event = await pipeline.oci.cloud.getEvent(id);
    expect(event.state).toBe('SUCCEEDED');
    expect(event.freeformTags).toEqual({ team: 'hpc', pitstop: 'done:returned' });
    expect(tagUpdates(job).map((r) => r.status)).toEqual([202]);
  });

  it('records a node kept out as done:kept_out', async () => {
    const { id, node } = EVENTS.failing;
    const job = await pipeline.runUntil(await pipeline.approvedJob(id, node), 'bookkeeping');
    await bookkeeping(job, pipeline.context());
    expect((await pipeline.oci.cloud.getEvent(id)).freeformTags.pitstop).toBe('done:kept_out');
  });

  it('stops for a human, naming the event, when OCI refuses the tag', async () => {
    const { id, node } = EVENTS.flex;
    const job = await pipeline.runUntil(await pipeline.approvedJob(id, node), 'bookkeeping');
    pipeline.oci.sim.faults.set('updateInstanceMaintenanceEvent', { errorRate: 1 });
    const action = await bookkeeping(job, pipeline.context());
    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(
      /^bookkeeping of gpu-1 \(event \S+flex\) stopped: .*The node is already back; only the event's tag is missing\.$/,
    );
  });
});
