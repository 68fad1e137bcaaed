/**
 * Chaos, OCI: the simulator's faults (429 storms, 5xx bursts, timeouts, dropped answers) during
 * discovery, scheduling and the maintenance wait; the event changing behind Pitstop's back; a
 * failed work request; an instance that no longer maps; a rotated API key. In one process on a
 * ManualClock: the OCI SDK's own retries run in real time, every wait of Pitstop's jumps.
 */
import { describe, expect } from 'vitest';
import type { MaintenanceJob, Outcome } from '../../src/domain/job.js';
import type { FaultKind } from '../../src/sim/oci/faults.js';
import { EVENTS } from '../support/pipeline.js';
import { Captured, secretsCase } from './captured.js';
import { type ChaosCase, runMatrix } from './matrix.js';
import { type PipelineCase, pipelineCase } from './pipeline-world.js';

type Where = 'discovery' | 'scheduling' | 'maintenance wait';
/** How the job ends, and what its last reason (the thread's last words) must say. */
type Ending = { outcome: Outcome; saying?: RegExp };

const captured = new Captured();

/** The operation each stage of the pipeline calls most, and when its fault starts. */
const STAGES: Record<Where, { operation: string; after?: RegExp }> = {
  discovery: { operation: 'listInstanceMaintenanceEvents' },
  scheduling: { operation: 'updateInstanceMaintenanceEvent', after: /draining → scheduling/ },
  'maintenance wait': { operation: 'getInstanceMaintenanceEvent', after: /scheduling → maintenance/ },
};

function ociCase(
  name: string,
  fault: string,
  ending: Ending,
  inject: (c: PipelineCase) => void,
  check?: (c: PipelineCase) => void,
  event: { id: string; node: string } = EVENTS.flex,
): ChaosCase<Captured> {
  const expected =
    ending.outcome === 'failed'
      ? 'the job stops for a human (the node stays out), saying why; nothing retried blindly'
      : `the job ends ${ending.outcome}, nothing done twice`;
  return {
    group: 'oci',
    name,
    fault,
    expected,
    async run(captured) {
      const c = await pipelineCase(captured);
      try {
        inject(c);
        await c.approveAndRun(event.id, event.node);
        const record = await c.record();
        const finished = record.audit.find((r) => r.type === 'finished' && r.eventId === event.id);
        const job = finished?.job as MaintenanceJob | undefined;
        expect(job?.outcome, c.thread(event.id).join('\n')).toBe(ending.outcome);
        if (ending.saying) expect(job?.reason).toMatch(ending.saying);
        check?.(c);
        return record;
      } finally {
        await c.stop();
      }
    },
  };
}

/** `count` calls of the stage's operation fail as `kind`, from the moment the stage begins. */
function faultDuring(where: Where, kind: FaultKind, count: number, ending: Ending = { outcome: 'returned' }) {
  const { operation, after } = STAGES[where];
  const words = { throttle: '429 storm', error: '5xx burst', timeout: 'timeouts', drop: 'dropped answers' }[
    kind
  ];
  return ociCase(
    `${words} during ${where}`,
    `${count} calls of ${operation} answered ${kind === 'throttle' ? '429' : kind === 'error' ? '503' : kind === 'timeout' ? 'never' : 'then dropped'}`,
    ending,
    (c) => {
      const start = () => c.pipeline.oci.sim.faults.failNext(operation, kind, count);
      if (after) c.when(after, start);
      else start();
    },
  );
}

const CASES: ChaosCase<Captured>[] = [
  faultDuring('discovery', 'throttle', 12),
  faultDuring('discovery', 'error', 3),
  faultDuring('discovery', 'timeout', 2),
  faultDuring('discovery', 'drop', 3),
  // Longer than the SDK's retries: the schedule phase waits the throttling out and moves the window once.
  faultDuring('scheduling', 'throttle', 12),
  faultDuring('scheduling', 'error', 3),
  faultDuring('scheduling', 'timeout', 1),
  faultDuring('scheduling', 'drop', 3),
  faultDuring('maintenance wait', 'throttle', 30),
  faultDuring('maintenance wait', 'error', 10),
  faultDuring('maintenance wait', 'timeout', 2),
  faultDuring('maintenance wait', 'drop', 6),
  ociCase(
    'event started early by OCI',
    'OCI moves the window to now while the node drains',
    { outcome: 'returned' },
    (c) =>
      c.when(/→ draining/, () => c.pipeline.oci.sim.fleet.moveWindow(EVENTS.flex.id, c.pipeline.clock.now())),
  ),
  ociCase(
    'event canceled by OCI in the maintenance wait',
    'OCI cancels the event after the window was moved',
    { outcome: 'returned', saying: /passed its checks/ },
    (c) =>
      c.when(/scheduling → maintenance/, () =>
        c.pipeline.oci.sim.fleet.cancel(EVENTS.flex.id, c.pipeline.clock.now()),
      ),
  ),
  ociCase(
    'event rescheduled by OCI',
    'OCI moves the window two hours later after Pitstop moved it',
    { outcome: 'returned' },
    (c) =>
      c.when(/scheduling → maintenance/, () =>
        c.pipeline.oci.sim.fleet.moveWindow(
          EVENTS.flex.id,
          new Date(c.pipeline.clock.now().getTime() + 7_200_000),
        ),
      ),
  ),
  ociCase(
    'event FAILED by OCI',
    'the maintenance itself ends FAILED',
    { outcome: 'kept_out' },
    () => {},
    undefined,
    EVENTS.failing,
  ),
  ociCase(
    'work request FAILED with errors',
    'the window move is accepted, then its work request FAILED ("host is not reachable")',
    { outcome: 'failed', saying: /host is not reachable/ },
    () => {},
    undefined,
    EVENTS.broken,
  ),
  ociCase(
    '401 from a rotated key',
    'the API key is rotated while Pitstop waits for the maintenance',
    { outcome: 'failed', saying: /401|NotAuthenticated|key/ },
    (c) => c.when(/scheduling → maintenance/, () => c.pipeline.oci.sim.rotateKey()),
    (c) => expect(c.pipeline.oci.sim.count('getInstanceMaintenanceEvent', 401)).toBeLessThanOrEqual(1),
  ),
  {
    group: 'oci',
    name: 'instance no longer maps to its node',
    fault:
      'after discovery the instance is renamed and readdressed (no Slurm node matches it), then a human approves',
    expected:
      'the job loses its node and cannot be approved; nothing drained, nothing scheduled; it stays resumable',
    async run(captured) {
      const c = await pipelineCase(captured);
      try {
        const { fleet } = c.pipeline.oci.sim;
        await c.orchestrator.sweep();
        expect(c.store.findByEvent(EVENTS.flex.id)?.node).toBe('gpu-1');
        Object.assign(fleet.instance(fleet.event(EVENTS.flex.id).instanceId), {
          displayName: 'replaced-1',
          privateIp: '10.9.9.9',
        });
        await c.orchestrator.sweep();
        await expect(c.orchestrator.approve(EVENTS.flex.id, 'U0ALICE', 'cli')).rejects.toThrow(
          /no longer maps to Slurm node gpu-1/,
        );
        await c.orchestrator.idle();
        expect(c.store.findByEvent(EVENTS.flex.id)).toMatchObject({
          phase: 'awaiting_approval',
          node: undefined,
        });
        expect(c.pipeline.slurmUpdates).toEqual([]);
        expect(c.pipeline.oci.sim.count('updateInstanceMaintenanceEvent')).toBe(0);
        return await c.record();
      } finally {
        await c.stop();
      }
    },
  },
];

describe('chaos: OCI', () => {
  runMatrix([...CASES, secretsCase(captured)], () => captured);
});
