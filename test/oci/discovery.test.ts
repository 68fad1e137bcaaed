import { afterEach, describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/ports.js';
import {
  compartment,
  event,
  eventOn,
  type Harness,
  instanceIn,
  startHarness,
  TENANCY,
} from './sim-fixture.js';

const now = new Date();

/** tenancy → prod → prod-gpu → prod-gpu-h100 (three levels), a sibling, and an INACTIVE one. */
const scenario = {
  tenancy: { id: TENANCY },
  compartments: [
    { id: compartment('prod'), name: 'prod' },
    { id: compartment('prodgpu'), name: 'prod-gpu', parentId: compartment('prod') },
    { id: compartment('prodgpuhundred'), name: 'prod-gpu-h100', parentId: compartment('prodgpu') },
    { id: compartment('dev'), name: 'dev' },
    { id: compartment('old'), name: 'old', lifecycleState: 'INACTIVE' as const },
  ],
  instances: [
    instanceIn('root1', TENANCY, '10.0.0.1'),
    instanceIn('dev1', compartment('dev'), '10.0.1.1'),
    ...Array.from({ length: 7 }, (_, i) =>
      instanceIn(`deep${i}`, compartment('prodgpuhundred'), `10.0.2.${i + 1}`),
    ),
    instanceIn('old1', compartment('old'), '10.0.3.1'),
  ],
  events: [
    eventOn('root', 'root1', now, {
      faults: [
        { faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA NIC link flaps', impactedComponent: 'RDMA NIC' },
      ],
    }),
    // Years of history in dev: finished events the sweep never pages through.
    ...(['SUCCEEDED', 'CANCELED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED'] as const).map((state, i) =>
      eventOn(`dev${i}`, 'dev1', now, { lifecycleState: state }),
    ),
    ...Array.from({ length: 7 }, (_, i) => eventOn(`deep${i}`, `deep${i}`, now)),
    eventOn('old', 'old1', now),
  ],
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

describe('discovery through the real SDK', () => {
  it('finds events in the tenancy itself and three compartment levels down, across pages', async () => {
    harness = await startHarness(scenario, { maxPageSize: 2 });
    const { events: found, skipped } = await harness.cloud.discoverEvents();

    const expected = [event('root'), ...Array.from({ length: 7 }, (_, i) => event(`deep${i}`))];
    expect(found.map((e) => e.id).sort()).toEqual(expected.sort());
    // The deepest compartment's 7 events came in 4 pages of at most 2.
    const deepLists = harness.sim.requests.filter(
      (r) =>
        r.operation === 'listInstanceMaintenanceEvents' && r.target.includes(compartment('prodgpuhundred')),
    );
    expect(deepLists).toHaveLength(4);
    // Page tokens travel raw; they contain the characters a form decoder would mangle.
    const tokens = deepLists.slice(1).map((r) => /[?&]page=([^&]+)/.exec(r.target)?.[1] ?? '');
    expect(tokens.every((t) => t.includes('+') && t.includes('/') && t.includes('='))).toBe(true);
    expect(harness.sim.requests.every((r) => r.status === 200)).toBe(true);
    expect(skipped).toEqual([]);
    // Only SCHEDULED events are asked for: dev's five finished ones cost one empty page, not three.
    const devLists = harness.sim.requests.filter((r) => r.target.includes(compartment('dev')));
    expect(devLists).toHaveLength(1);
    expect(devLists[0]!.target).toContain('lifecycleState=SCHEDULED');
  });

  it('reads the full event for open events, with the faults from additionalDetails', async () => {
    harness = await startHarness(scenario);
    const { events: found } = await harness.cloud.discoverEvents();
    const root = found.find((e) => e.id === event('root'))!;
    expect(root.faults).toEqual([
      { faultId: 'HPCRDMA-0002-02', summary: 'RDMA NIC link flaps', component: 'RDMA NIC' },
    ]);
    // Finished events are neither listed nor read: only the 8 scheduled ones are.
    expect(harness.sim.count('getInstanceMaintenanceEvent')).toBe(8);
    expect(found.some((e) => e.id.includes('aaaaaaaadev'))).toBe(false);
  });

  it('asks for the subtree with accessLevel=ANY and skips INACTIVE compartments', async () => {
    harness = await startHarness(scenario);
    const { events: found } = await harness.cloud.discoverEvents();
    const list = harness.sim.requests.find((r) => r.operation === 'listCompartments')!;
    expect(list.target).toContain('compartmentIdInSubtree=true');
    expect(list.target).toContain('accessLevel=ANY');
    expect(found.some((e) => e.id === event('old'))).toBe(false);
    expect(harness.sim.requests.some((r) => r.target.includes(compartment('old')))).toBe(false);
  });

  it('sweeps only the configured compartments when given a list', async () => {
    harness = await startHarness(
      scenario,
      {},
      { settings: { compartments: [compartment('prodgpuhundred')] } },
    );
    const { events: found } = await harness.cloud.discoverEvents();
    expect(found.map((e) => e.id).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => event(`deep${i}`)).sort(),
    );
    expect(harness.sim.count('listCompartments')).toBe(0);
  });

  it('reports a compartment it may not read, with the policy statement, and still sweeps the rest', async () => {
    harness = await startHarness(scenario);
    harness.sim.fleet.deny(compartment('dev'));
    const progress: string[] = [];
    const { events: found, skipped } = await harness.cloud.discoverEvents({
      onProgress: (m) => progress.push(m),
    });
    expect(found).toHaveLength(8);
    const said = progress.find((m) => m.includes(compartment('dev')));
    expect(said).toContain('NotAuthorizedOrNotFound');
    expect(said).toContain(
      `Allow group <your-group> to read instance-family in compartment id ${compartment('dev')}`,
    );
    // Returned as well, so the sweep is known to be partial (not only a progress line).
    expect(skipped).toEqual([
      {
        kind: 'compartment',
        id: compartment('dev'),
        error: expect.stringContaining('NotAuthorizedOrNotFound'),
      },
    ]);
  });

  it('skips an open event whose details cannot be read this sweep, and says so', async () => {
    // One at a time, so the four 503s (every attempt) all land on the first event read.
    harness = await startHarness(scenario, {}, { settings: { concurrency: 1 } });
    harness.sim.faults.failNext('getInstanceMaintenanceEvent', 'error', 4);
    const progress: string[] = [];
    const { events: found, skipped } = await harness.cloud.discoverEvents({
      onProgress: (m) => progress.push(m),
    });
    const said = progress.filter((m) => m.startsWith('skipped event '));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('503 ServiceUnavailable');
    const skippedId = /skipped event (\S+) /.exec(said[0]!)![1];
    expect(skipped).toEqual([{ kind: 'event', id: skippedId, error: expect.stringContaining('503') }]);
    expect(found).toHaveLength(7);
    expect(found.some((e) => e.id === skippedId)).toBe(false);
    const next = await harness.cloud.discoverEvents();
    expect(next.events.some((e) => e.id === skippedId)).toBe(true);
    expect(next.skipped).toEqual([]);
  });

  it('sends no timeWindowStart filters (the SDK would format them in local time)', async () => {
    harness = await startHarness(scenario);
    await harness.cloud.discoverEvents();
    expect(harness.sim.requests.some((r) => r.target.includes('timeWindowStart'))).toBe(false);
  });
});

/** The calls `sweep` made, by operation, from the simulator's counts. */
async function callsOf(sim: Harness['sim'], sweep: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = sim.callCounts();
  await sweep();
  const after = sim.callCounts();
  return Object.fromEntries(
    Object.entries(after)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

describe('discovery at steady state: what is known is not read again', () => {
  it('a second sweep over an unchanged fleet lists as the first did and reads no event', async () => {
    harness = await startHarness(scenario);
    const cloud = harness.cloud;
    let first: Discovery | undefined;
    const firstCalls = await callsOf(harness.sim, async () => {
      first = await cloud.discoverEvents();
    });
    expect(firstCalls).toEqual({
      listCompartments: 1,
      listInstanceMaintenanceEvents: 5,
      getInstanceMaintenanceEvent: 8,
    });
    let second: Discovery | undefined;
    const steadyCalls = await callsOf(harness.sim, async () => {
      second = await cloud.discoverEvents({ known: first!.events });
    });
    expect(steadyCalls).toEqual({ listCompartments: 1, listInstanceMaintenanceEvents: 5 });
    // Returned as held, the faults from the details included.
    expect(second!.events).toEqual(expect.arrayContaining(first!.events));
    expect(second!.events).toHaveLength(8);
    expect(second!.events.find((e) => e.id === event('root'))!.faults).toHaveLength(1);
  });

  it('reads again an event whose summary changed (its window moved), and only that one', async () => {
    harness = await startHarness(scenario);
    const first = await harness.cloud.discoverEvents();
    const moved = new Date(now.getTime() + 3 * 86_400_000).toISOString();
    harness.sim.fleet.event(event('deep3')).timeWindowStart = moved;
    const gets = harness.sim.count('getInstanceMaintenanceEvent');
    const second = await harness.cloud.discoverEvents({ known: first.events });
    expect(harness.sim.count('getInstanceMaintenanceEvent') - gets).toBe(1);
    expect(harness.sim.requests.at(-1)!.target).toContain(event('deep3'));
    expect(second.events.find((e) => e.id === event('deep3'))!.timeWindowStart).toBe(moved);
  });

  it('reads a known open event that left the list (started, ended, canceled) and returns it as it stands', async () => {
    harness = await startHarness(scenario);
    const first = await harness.cloud.discoverEvents();
    harness.sim.fleet.event(event('deep0')).lifecycleState = 'CANCELED';
    harness.sim.fleet.event(event('deep1')).lifecycleState = 'STARTED';
    harness.sim.fleet.event(event('root')).lifecycleState = 'SUCCEEDED';
    const calls = await callsOf(harness.sim, async () => {
      const second = await harness!.cloud.discoverEvents({ known: first.events });
      const state = (id: string) => second.events.find((e) => e.id === id)?.state;
      expect([state(event('deep0')), state(event('deep1')), state(event('root'))]).toEqual([
        'CANCELED',
        'STARTED',
        'SUCCEEDED',
      ]);
      expect(second.events).toHaveLength(8);
    });
    expect(calls.getInstanceMaintenanceEvent).toBe(3);
  });

  it('reads a new event, and never a known one that already ended', async () => {
    harness = await startHarness(scenario);
    const first = await harness.cloud.discoverEvents();
    const ended = { ...first.events.find((e) => e.id === event('deep5'))!, state: 'SUCCEEDED' as const };
    const known = [...first.events.filter((e) => e.id !== event('deep4') && e.id !== event('deep5')), ended];
    const gets = harness.sim.count('getInstanceMaintenanceEvent');
    const second = await harness.cloud.discoverEvents({ known });
    // deep4 is new to it; deep5 is listed SCHEDULED again, unlike what it holds: read both.
    expect(harness.sim.count('getInstanceMaintenanceEvent') - gets).toBe(2);
    expect(second.events.find((e) => e.id === event('deep4'))!.faults).toEqual([]);
    expect(second.events.find((e) => e.id === event('deep5'))!.state).toBe('SCHEDULED');

    // A held event that ended stays as it is: OCI's end states are final, so it costs no call.
    const gone = { ...ended, id: event('archived') };
    const third = await harness.cloud.discoverEvents({ known: [...second.events, gone] });
    expect(harness.sim.count('getInstanceMaintenanceEvent') - gets).toBe(2);
    expect(third.events.some((e) => e.id === event('archived'))).toBe(false);
  });

  it('neither reads nor returns an event whose job has finished, though OCI still schedules it', async () => {
    harness = await startHarness(scenario);
    const first = await harness.cloud.discoverEvents();
    const denied = event('deep2');
    const gets = harness.sim.count('getInstanceMaintenanceEvent');
    const second = await harness.cloud.discoverEvents({
      known: first.events.filter((e) => e.id !== denied),
      finished: (id) => id === denied,
    });
    expect(harness.sim.count('getInstanceMaintenanceEvent') - gets).toBe(0);
    expect(second.events.map((e) => e.id)).not.toContain(denied);
    expect(second.events).toHaveLength(7);
  });

  it('reads by itself a known event whose compartment could not be listed; the sweep still reports it partial', async () => {
    harness = await startHarness(scenario, {}, { settings: { concurrency: 1 } });
    const first = await harness.cloud.discoverEvents();
    harness.sim.faults.failNext('listInstanceMaintenanceEvents', 'error', 4);
    const second = await harness.cloud.discoverEvents({ known: first.events });
    // The first compartment listed is the tenancy (root's): 503 on every attempt.
    expect(second.skipped).toEqual([
      { kind: 'compartment', id: TENANCY, error: expect.stringContaining('503') },
    ]);
    expect(second.events.find((e) => e.id === event('root'))!.state).toBe('SCHEDULED');
    expect(harness.sim.requests.at(-1)!.target).toContain(event('root'));
  });
});
