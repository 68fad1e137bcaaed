import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryTokenFor } from '../../src/domain/job.js';
import { schedule } from '../../src/phases/schedule.js';
import { abortWhen, EVENTS, type Pipeline, SETTINGS, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

/** A job for the event whose node is drained: the schedule phase is next. */
async function drainedJob(which: keyof typeof EVENTS) {
  const { id, node } = EVENTS[which];
  const { job } = await pipeline.step(await pipeline.approvedJob(id, node));
  expect(job.phase).toBe('scheduling');
  return job;
}

const updates = () =>
  pipeline.oci.sim.requests.filter((r) => r.operation === 'updateInstanceMaintenanceEvent');

describe('schedule phase', () => {
  it('moves the window to now + lead time with the job retry token and tag, and follows the work request', async () => {
    const job = await drainedJob('flex');
    const expectedWindow = new Date(pipeline.clock.now().getTime() + SETTINGS.leadTimeMs).toISOString();

    const action = await schedule(job, pipeline.context());

    expect(action).toEqual({
      type: 'scheduled',
      windowStart: expectedWindow,
      workRequestId: expect.any(String),
    });
    const event = await pipeline.oci.cloud.getEvent(job.eventId);
    expect(event.timeWindowStart).toBe(expectedWindow);
    expect(event.freeformTags).toEqual({ team: 'hpc', pitstop: job.id });
    expect(updates().map((u) => u.retryToken)).toEqual([retryTokenFor(job)]);
    expect(pipeline.oci.sim.count('getWorkRequest')).toBeGreaterThan(1);
  });

  it('after a crash while following the work request, runs again without a second update', async () => {
    const job = await drainedJob('flex');
    const crash = abortWhen(pipeline, /work request .* is ACCEPTED/);

    await expect(schedule(job, pipeline.context({ signal: crash.signal }))).rejects.toThrow(
      /Pitstop stopped/,
    );
    const first = pipeline.oci.sim.fleet.event(job.eventId);
    pipeline.clock.advance(10 * 60_000);

    const action = await schedule(job, pipeline.context());

    expect(action).toMatchObject({ type: 'scheduled', windowStart: first.timeWindowStart });
    expect(updates().map((u) => [u.status, u.replayed ?? false])).toEqual([
      [202, false],
      [202, true],
    ]);
    expect(pipeline.oci.sim.fleet.event(job.eventId).version).toBe(first.version);
  });

  it("stops for a human with the work request's errors when it FAILED", async () => {
    const job = await drainedJob('broken');
    const action = await schedule(job, pipeline.context());
    expect(action.type).toBe('fail');
    const reason = action.type === 'fail' ? action.reason : '';
    expect(reason).toMatch(
      /^schedule of gpu-2 \(event ocid1\.instancemaintenanceevent\.\S+broken\) stopped: /,
    );
    expect(reason).toContain('ended FAILED: InternalError: host is not reachable');
    expect(reason).toContain('The node stays drained');
  });

  it("keeps OCI's window when it cannot move, without sending an update", async () => {
    const job = await drainedJob('fixed');
    const action = await schedule(job, pipeline.context());
    expect(action).toEqual({ type: 'scheduled', windowStart: job.event.timeWindowStart });
    expect(updates()).toEqual([]);
    expect(pipeline.thread.join('\n')).toContain('canReschedule is false');
  });

  it('follows an event OCI already started at its own window while the node drained', async () => {
    const job = await drainedJob('flex');
    pipeline.clock.advance(25 * 3_600_000);
    expect((await pipeline.oci.cloud.getEvent(job.eventId)).state).not.toBe('SCHEDULED');

    const action = await schedule(job, pipeline.context());

    expect(action).toEqual({ type: 'scheduled', windowStart: job.event.timeWindowStart });
    expect(updates()).toEqual([]);
  });
});
