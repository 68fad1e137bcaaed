import { afterEach, describe, expect, it } from 'vitest';
import { retryTokenFor } from '../../src/domain/job.js';
import { CloudError } from '../../src/oci/errors.js';
import { ManualClock } from '../../src/sim/clock.js';
import { event, eventOn, type Harness, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

const start = new Date('2026-03-01T10:00:00.000Z');

function scenario() {
  return {
    tenancy: { id: TENANCY },
    instances: [
      instanceIn('gpu1', TENANCY, '10.0.0.1'),
      instanceIn('gpu2', TENANCY, '10.0.0.2'),
      instanceIn('gpu3', TENANCY, '10.0.0.3'),
    ],
    events: [
      eventOn('flex', 'gpu1', start, { freeformTags: { owner: 'hpc-team' } }),
      eventOn('fixed', 'gpu2', start, { canReschedule: false }),
      eventOn('broken', 'gpu3', start, {
        workRequestOutcome: 'FAILED' as const,
        workRequestErrors: [{ code: 'InternalError', message: 'host is not reachable' }],
      }),
    ],
    lifecycle: {
      workRequestAccepted: '1s',
      workRequestInProgress: '10s',
      eventStarted: '1m',
      eventProcessing: '20m',
    },
  };
}

const job = { id: 'job-1', eventId: event('flex') };

let harness: Harness | undefined;
let clock: ManualClock;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

async function setUp() {
  clock = new ManualClock(start);
  harness = await startHarness(scenario(), { clock });
  return harness;
}

describe('scheduling through the real SDK', () => {
  it('moves the window, follows the work request to SUCCEEDED, and the event to SUCCEEDED', async () => {
    const { cloud, sim } = await setUp();
    const windowStart = new Date(start.getTime() + 5 * 60_000);
    const result = await cloud.schedule({
      eventId: event('flex'),
      windowStart,
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    });
    expect(result).toEqual({
      kind: 'scheduled',
      workRequestId: expect.any(String),
      windowStart: windowStart.toISOString(),
    });
    if (result.kind !== 'scheduled') return;

    expect((await cloud.getWorkRequest(result.workRequestId)).status).toBe('ACCEPTED');
    clock.advance(2_000);
    expect((await cloud.getWorkRequest(result.workRequestId)).status).toBe('IN_PROGRESS');
    clock.advance(10_000);
    expect(await cloud.getWorkRequest(result.workRequestId)).toMatchObject({
      status: 'SUCCEEDED',
      errors: [],
    });

    const scheduled = await cloud.getEvent(event('flex'));
    expect(scheduled.state).toBe('SCHEDULED');
    expect(scheduled.timeWindowStart).toBe(windowStart.toISOString());
    // Our tag was added and the one already there kept.
    expect(scheduled.freeformTags).toEqual({ owner: 'hpc-team', pitstop: 'job-1' });

    clock.advance(5 * 60_000);
    expect((await cloud.getEvent(event('flex'))).state).toBe('STARTED');
    clock.advance(60_000);
    expect((await cloud.getEvent(event('flex'))).state).toBe('PROCESSING');
    clock.advance(20 * 60_000);
    const done = await cloud.getEvent(event('flex'));
    expect(done.state).toBe('SUCCEEDED');
    expect(done.timeFinished).toBeDefined();
    expect(sim.count('updateInstanceMaintenanceEvent', 202)).toBe(1);
  });

  it('sends the etag it read: a change in between is refused, not overwritten', async () => {
    const { cloud, sim } = await setUp();
    sim.faults.set('updateInstanceMaintenanceEvent', { latencyMs: 300 });
    const scheduling = cloud.schedule({
      eventId: event('flex'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    });
    // While the update is on its way, someone else changes the event.
    await new Promise((resolve) => setTimeout(resolve, 150));
    sim.fleet.updateEvent(event('flex'), { freeformTags: { changed: 'elsewhere' } }, undefined, clock.now());
    await expect(scheduling).rejects.toThrowError(/412 NoEtagMatch/);
    expect(sim.fleet.event(event('flex')).freeformTags).toEqual({ changed: 'elsewhere' });
  });

  it('never schedules twice: the same retry token is answered with the first result', async () => {
    const { cloud, sim } = await setUp();
    const request = {
      eventId: event('flex'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    };
    const first = await cloud.schedule(request);
    const versionAfterFirst = sim.fleet.event(event('flex')).version;
    const second = await cloud.schedule(request);

    expect(second).toEqual(first);
    const updates = sim.requests.filter((r) => r.operation === 'updateInstanceMaintenanceEvent');
    expect(updates).toHaveLength(2);
    expect(updates.map((u) => u.retryToken)).toEqual([request.retryToken, request.retryToken]);
    expect(updates.map((u) => u.replayed ?? false)).toEqual([false, true]);
    expect(sim.fleet.event(event('flex')).version).toBe(versionAfterFirst);
  });

  it('after a crash, gets the first answer back even when the window has since started', async () => {
    const { cloud, sim } = await setUp();
    const request = {
      eventId: event('flex'),
      windowStart: new Date(start.getTime() + 60_000),
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    };
    const first = await cloud.schedule(request);
    clock.advance(90_000);
    expect((await cloud.getEvent(event('flex'))).state).toBe('STARTED');
    expect(await cloud.schedule(request)).toEqual(first);
    expect(
      sim.requests
        .filter((r) => r.operation === 'updateInstanceMaintenanceEvent')
        .map((r) => r.replayed ?? false),
    ).toEqual([false, true]);
  });

  it('retries an update that met a 503 with the same token, and it acts once', async () => {
    const { cloud, sim } = await setUp();
    sim.faults.failNext('updateInstanceMaintenanceEvent', 'error', 2);
    const result = await cloud.schedule({
      eventId: event('flex'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    });
    expect(result.kind).toBe('scheduled');
    const statuses = sim.requests
      .filter((r) => r.operation === 'updateInstanceMaintenanceEvent')
      .map((r) => r.status);
    expect(statuses).toEqual([503, 503, 202]);
  });

  it('acts once when the answer to the update is lost and the SDK retries it', async () => {
    const { cloud, sim } = await setUp();
    sim.faults.failNext('updateInstanceMaintenanceEvent', 'drop');
    const result = await cloud.schedule({
      eventId: event('flex'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor(job),
      tags: { pitstop: 'job-1' },
    });
    const updates = sim.requests.filter((r) => r.operation === 'updateInstanceMaintenanceEvent');
    expect(updates.map((u) => [u.status, u.dropped ?? false, u.replayed ?? false])).toEqual([
      [0, true, false],
      [202, false, true],
    ]);
    expect(result.kind).toBe('scheduled');
    // One change to the event (version 1 → 2), though two updates arrived.
    expect(sim.fleet.event(event('flex')).version).toBe(2);
  });

  it('does not touch an event whose window cannot move, and says so', async () => {
    const { cloud, sim } = await setUp();
    const result = await cloud.schedule({
      eventId: event('fixed'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor({ id: 'job-2', eventId: event('fixed') }),
      tags: { pitstop: 'job-2' },
    });
    expect(result).toMatchObject({
      kind: 'fixed_window',
      windowStart: new Date(start.getTime() + 86_400_000).toISOString(),
    });
    expect(result.kind === 'fixed_window' && result.reason).toContain('canReschedule is false');
    expect(sim.count('updateInstanceMaintenanceEvent')).toBe(0);
  });

  it('surfaces the errors of a FAILED work request', async () => {
    const { cloud } = await setUp();
    const result = await cloud.schedule({
      eventId: event('broken'),
      windowStart: new Date(start.getTime() + 3_600_000),
      retryToken: retryTokenFor({ id: 'job-3', eventId: event('broken') }),
      tags: {},
    });
    if (result.kind !== 'scheduled') throw new Error('expected a work request');
    clock.advance(60_000);
    expect(await cloud.getWorkRequest(result.workRequestId)).toMatchObject({
      status: 'FAILED',
      errors: ['InternalError: host is not reachable'],
    });
  });

  it('refuses to move an event that already started', async () => {
    const { cloud } = await setUp();
    clock.advance(86_400_000 + 1_000);
    await expect(
      cloud.schedule({
        eventId: event('flex'),
        windowStart: new Date(clock.now().getTime() + 3_600_000),
        retryToken: retryTokenFor(job),
        tags: {},
      }),
    ).rejects.toThrowError(/is STARTED, not SCHEDULED/);
  });

  it('does not retry 409 IncorrectState (the event moved on; a retry cannot change that)', async () => {
    const { cloud, sim } = await setUp();
    clock.advance(86_400_000 + 1_000);
    const failure = await cloud.context.clients.compute
      .updateInstanceMaintenanceEvent({
        instanceMaintenanceEventId: event('flex'),
        updateInstanceMaintenanceEventDetails: {
          timeWindowStart: new Date(clock.now().getTime() + 3_600_000),
        },
      })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ statusCode: 409, serviceCode: 'IncorrectState' });
    expect(sim.count('updateInstanceMaintenanceEvent')).toBe(1);
  });

  it('tags an event that already finished (bookkeeping)', async () => {
    const { cloud, sim } = await setUp();
    clock.advance(2 * 86_400_000);
    expect((await cloud.getEvent(event('flex'))).state).toBe('SUCCEEDED');
    await cloud.tagEvent(event('flex'), { pitstop: 'returned' });
    expect(sim.fleet.event(event('flex')).freeformTags).toEqual({ owner: 'hpc-team', pitstop: 'returned' });
  });

  it('sends the window in UTC whatever the local time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      const { cloud, sim } = await setUp();
      const windowStart = new Date('2026-03-01T23:45:00.000Z');
      await cloud.schedule({ eventId: event('flex'), windowStart, retryToken: retryTokenFor(job), tags: {} });
      expect(new Date().getTimezoneOffset()).toBe(-330);
      expect(sim.fleet.event(event('flex')).timeWindowStart).toBe('2026-03-01T23:45:00.000Z');
    } finally {
      process.env.TZ = zone;
      if (zone === undefined) delete process.env.TZ;
    }
  });

  it('tags without moving the window, and sends nothing when the tags are there', async () => {
    const { cloud, sim } = await setUp();
    const before = sim.fleet.event(event('flex')).timeWindowStart;
    await cloud.tagEvent(event('flex'), { pitstop: 'done' });
    await cloud.tagEvent(event('flex'), { pitstop: 'done' });
    expect(sim.count('updateInstanceMaintenanceEvent')).toBe(1);
    const tagged = sim.fleet.event(event('flex'));
    expect(tagged.freeformTags).toEqual({ owner: 'hpc-team', pitstop: 'done' });
    expect(tagged.timeWindowStart).toBe(before);
  });

  it('names the event and the policy when the event cannot be seen', async () => {
    const { cloud } = await setUp();
    const failure = await cloud.getEvent(event('nosuch')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CloudError);
    expect((failure as CloudError).message).toContain(
      `getInstanceMaintenanceEvent (event ${event('nosuch')})`,
    );
    expect((failure as CloudError).message).toContain('404 NotAuthorizedOrNotFound');
    expect((failure as CloudError).message).toContain(
      'Allow group <your-group> to read instance-family in tenancy',
    );
  });
});
