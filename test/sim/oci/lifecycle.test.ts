import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/sim/clock.js';
import type { MaintenanceTransition } from '../../../src/sim/oci/fleet.js';
import {
  event,
  eventOn,
  type Harness,
  instance,
  instanceIn,
  startHarness,
  TENANCY,
} from '../../oci/sim-fixture.js';

const start = new Date('2026-05-01T08:00:00.000Z');
const HOUR = 3_600_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

function scenario() {
  return {
    tenancy: { id: TENANCY },
    instances: [
      { ...instanceIn('gpu-a', TENANCY, '10.0.0.1'), node: 'node-a' },
      instanceIn('gpu-b', TENANCY, '10.0.0.2'),
    ],
    events: [eventOn('ok', 'gpu-a', start), eventOn('bad', 'gpu-b', start, { outcome: 'FAILED' as const })],
    lifecycle: { eventStarted: '2m', eventProcessing: '30m' },
  };
}

describe('OCI simulator maintenance lifecycle', () => {
  it('starts an event at its window, moves it through PROCESSING to its outcome, and runs the hooks in order', async () => {
    const clock = new ManualClock(start);
    const transitions: Pick<MaintenanceTransition, 'phase' | 'node'>[] = [];
    harness = await startHarness(scenario(), {
      clock,
      onMaintenance: ({ phase, node, event: e }) => {
        transitions.push({ phase, node });
        expect(e.lifecycleState).toBe(phase === 'start' ? 'STARTED' : 'SUCCEEDED');
      },
    });
    const { cloud, sim } = harness;
    expect((await cloud.getEvent(event('ok'))).state).toBe('SCHEDULED');
    clock.advance(24 * HOUR - 1);
    expect((await cloud.getEvent(event('ok'))).state).toBe('SCHEDULED');
    clock.advance(1);
    const started = await cloud.getEvent(event('ok'));
    expect(started.state).toBe('STARTED');
    expect(started.timeStarted).toBe(new Date(start.getTime() + 24 * HOUR).toISOString());
    clock.advance(2 * 60_000);
    expect((await cloud.getEvent(event('ok'))).state).toBe('PROCESSING');
    clock.advance(30 * 60_000);
    expect((await cloud.getEvent(event('ok'))).state).toBe('SUCCEEDED');
    await sim.stop();
    // gpu-a says which Slurm node it is; gpu-b is its display name. Hooks ran start, then end.
    expect(transitions).toEqual([
      { phase: 'start', node: 'node-a' },
      { phase: 'start', node: 'gpu-b' },
      { phase: 'end', node: 'node-a' },
      { phase: 'end', node: 'gpu-b' },
    ]);
    harness = undefined;
  });

  it('ends an event the scenario says fails FAILED, with details', async () => {
    const clock = new ManualClock(start);
    harness = await startHarness(scenario(), { clock });
    clock.advance(48 * HOUR);
    const failed = await harness.cloud.getEvent(event('bad'));
    expect(failed.state).toBe('FAILED');
    expect(failed.lifecycleDetails).toContain('FAILED');
  });

  it('moves events on its own, without requests, so hooks fire on time', async () => {
    const clock = new ManualClock(start);
    const seen: string[] = [];
    harness = await startHarness(scenario(), {
      clock,
      onMaintenance: (t) => void seen.push(`${t.phase} ${t.node}`),
    });
    clock.advance(24 * HOUR);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(seen).toContain('start node-a');
    expect(harness.sim.requests).toHaveLength(0);
  });

  it('records a failing hook instead of crashing', async () => {
    const clock = new ManualClock(start);
    harness = await startHarness(scenario(), {
      clock,
      onMaintenance: () => {
        throw new Error('slurmd would not stop');
      },
    });
    clock.advance(24 * HOUR);
    await harness.cloud.getEvent(event('ok'));
    await harness.sim.stop();
    expect(harness.sim.hookFailures[0]).toBe('start hook for node-a: slurmd would not stop');
    harness = undefined;
  });

  it('refuses updates OCI would refuse', async () => {
    const clock = new ManualClock(start);
    harness = await startHarness(scenario(), { clock });
    const { fleet } = harness.sim;
    expect(() =>
      fleet.updateEvent(event('ok'), { timeWindowStart: '2026-04-01T00:00:00Z' }, undefined, clock.now()),
    ).toThrow(/in the past/);
    expect(() =>
      fleet.updateEvent(event('ok'), { timeWindowStart: '2026-06-01T00:00:00Z' }, undefined, clock.now()),
    ).toThrow(/hard due date/);
    expect(() => fleet.instance(instance('nosuch'))).toThrow(/NotAuthorizedOrNotFound|not found/);
  });
});
