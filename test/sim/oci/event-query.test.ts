import type core from 'oci-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compartment,
  event,
  eventOn,
  type Harness,
  instanceIn,
  startHarness,
} from '../../oci/sim-fixture.js';

const now = new Date();
const day = 86_400_000;
const at = (days: number) => new Date(now.getTime() + days * day).toISOString();
const HPC = compartment('hpc');

/** Four events on one compartment's instances: states, actions and windows apart. */
const scenario = {
  tenancy: { id: 'ocid1.tenancy.oc1..aaaaaaaaqueries' },
  compartments: [{ id: HPC, name: 'hpc' }],
  // The simulator names an event after its instance id's last 8 characters: these sort otherwise than listed.
  instances: ['node-zzz', 'node-mmm', 'node-aaa', 'node-kkk'].map((n, i) =>
    instanceIn(n, HPC, `10.0.0.${i + 1}`),
  ),
  events: [
    eventOn('soon', 'node-zzz', now, { timeWindowStart: at(1) }),
    eventOn('later', 'node-mmm', now, { timeWindowStart: at(5), instanceAction: 'TERMINATE' }),
    eventOn('done', 'node-aaa', now, { timeWindowStart: at(-30), lifecycleState: 'SUCCEEDED' as const }),
    eventOn('dropped', 'node-kkk', now, { timeWindowStart: at(-10), lifecycleState: 'CANCELED' as const }),
  ],
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

type ListRequest = core.requests.ListInstanceMaintenanceEventsRequest;

/** One page through the real SDK; the ids it returned, in order. */
async function list(request: Omit<ListRequest, 'compartmentId'>): Promise<string[]> {
  const response = await harness!.cloud.context.clients.compute.listInstanceMaintenanceEvents({
    compartmentId: HPC,
    ...request,
  });
  return response.items.map((item) => item.id);
}

/**
 * A window bound as OCI documents it (RFC 3339). Sent as text: the SDK would format a Date in
 * local time with a Z and an unpadded hour.
 */
const rfc3339 = (iso: string) => iso as unknown as Date;

describe('the OCI simulator lists maintenance events as the API reference documents', () => {
  it('returns only the events in the given lifecycle state', async () => {
    harness = await startHarness(scenario);
    expect((await list({ lifecycleState: 'SCHEDULED' })).sort()).toEqual([event('later'), event('soon')]);
    expect(await list({ lifecycleState: 'CANCELED' })).toEqual([event('dropped')]);
    expect(await list({ lifecycleState: 'STARTED' })).toEqual([]);
    expect(await list({})).toHaveLength(4);
  });

  it('filters by instance, instance action and correlation token, exactly', async () => {
    harness = await startHarness(scenario);
    expect(await list({ instanceAction: 'TERMINATE' })).toEqual([event('later')]);
    expect(await list({ instanceId: scenario.instances[2]!.id })).toEqual([event('done')]);
    const token = (
      await harness.cloud.context.clients.compute.listInstanceMaintenanceEvents({ compartmentId: HPC })
    ).items.find((item) => item.id === event('soon'))!.correlationToken!;
    expect(await list({ correlationToken: token })).toEqual([event('soon')]);
    expect(await list({ correlationToken: `${token}x` })).toEqual([]);
  });

  it('bounds the window start inclusively on either side', async () => {
    harness = await startHarness(scenario);
    const soon = harness.sim.fleet.event(event('soon')).timeWindowStart;
    expect((await list({ timeWindowStartGreaterThanOrEqualTo: rfc3339(soon) })).sort()).toEqual([
      event('later'),
      event('soon'),
    ]);
    expect(await list({ timeWindowStartLessThanOrEqualTo: rfc3339(at(-20)) })).toEqual([event('done')]);
    expect(
      await list({
        timeWindowStartGreaterThanOrEqualTo: rfc3339(at(-20)),
        timeWindowStartLessThanOrEqualTo: rfc3339(soon),
      }),
    ).toHaveLength(2);
  });

  it('sorts by display name, either way', async () => {
    harness = await startHarness(scenario);
    const ascending = await list({
      sortBy: 'DISPLAYNAME' as ListRequest['sortBy'],
      sortOrder: 'ASC' as ListRequest['sortOrder'],
    });
    expect(ascending).toEqual([event('done'), event('dropped'), event('later'), event('soon')]);
    expect(
      await list({
        sortBy: 'DISPLAYNAME' as ListRequest['sortBy'],
        sortOrder: 'DESC' as ListRequest['sortOrder'],
      }),
    ).toEqual([...ascending].reverse());
  });

  it('answers 400 InvalidParameter naming a value it does not take', async () => {
    harness = await startHarness(scenario);
    await expect(list({ lifecycleState: 'COMPLETED' })).rejects.toMatchObject({
      statusCode: 400,
      serviceCode: 'InvalidParameter',
      message: expect.stringContaining('lifecycleState "COMPLETED"'),
    });
    // What the SDK sends for a Date outside UTC+0 hours 10-23: no zero-padded hour.
    await expect(
      list({ timeWindowStartGreaterThanOrEqualTo: rfc3339('2026-11-30T9:05:03Z') }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('timeWindowStartGreaterThanOrEqualTo'),
    });
  });

  it('ties a page token to its filters, and counts every call by operation', async () => {
    harness = await startHarness(scenario, { maxPageSize: 1 });
    const before = harness.sim.callCounts();
    const compute = harness.cloud.context.clients.compute;
    const first = await compute.listInstanceMaintenanceEvents({
      compartmentId: HPC,
      lifecycleState: 'SCHEDULED',
    });
    expect(first.opcNextPage).toBeDefined();
    await expect(
      compute.listInstanceMaintenanceEvents({ compartmentId: HPC, page: first.opcNextPage }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const next = await compute.listInstanceMaintenanceEvents({
      compartmentId: HPC,
      lifecycleState: 'SCHEDULED',
      page: first.opcNextPage,
    });
    expect([...first.items, ...next.items].map((item) => item.id).sort()).toEqual([
      event('later'),
      event('soon'),
    ]);
    expect(harness.sim.callCounts().listInstanceMaintenanceEvents).toBe(
      (before.listInstanceMaintenanceEvents ?? 0) + 3,
    );
    const served = (await (await fetch(`${harness.sim.endpoint}/_sim/calls`)).json()) as Record<
      string,
      number
    >;
    expect(served).toEqual(harness.sim.callCounts());
  });
});
