import { afterEach, describe, expect, it } from 'vitest';
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
    eventOn('dev', 'dev1', now, { lifecycleState: 'SUCCEEDED' as const }),
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

    const expected = [event('root'), event('dev'), ...Array.from({ length: 7 }, (_, i) => event(`deep${i}`))];
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
  });

  it('reads the full event for open events, with the faults from additionalDetails', async () => {
    harness = await startHarness(scenario);
    const { events: found } = await harness.cloud.discoverEvents();
    const root = found.find((e) => e.id === event('root'))!;
    expect(root.faults).toEqual([
      { faultId: 'HPCRDMA-0002-02', summary: 'RDMA NIC link flaps', component: 'RDMA NIC' },
    ]);
    // A finished event is not fetched again: only the 8 open ones are.
    expect(harness.sim.count('getInstanceMaintenanceEvent')).toBe(8);
    expect(found.find((e) => e.id === event('dev'))!.state).toBe('SUCCEEDED');
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
    harness = await startHarness(scenario, {}, { settings: { compartments: [compartment('dev')] } });
    const { events: found } = await harness.cloud.discoverEvents();
    expect(found.map((e) => e.id)).toEqual([event('dev')]);
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
    expect(found).toHaveLength(8);
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
