import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import type { FleetRecord } from './invariants.js';
import type { ChaosCase } from './matrix.js';
import { reached, type ServeCase, type ServeWorld, saying, serveCase } from './serve-world.js';

/**
 * Slurm misbehaving under `pitstop serve`: the controller away, a Slurm job that outlasts the
 * drain, a node that never comes back, a human resuming or draining the node mid-job.
 */

const finishedJob = (record: FleetRecord, eventName: string) =>
  record.audit.find((r) => r.type === 'finished' && String(r.eventId).endsWith(eventName))?.job as
    | MaintenanceJob
    | undefined;

const pitstopUpdates = (record: FleetRecord) =>
  record.slurm.filter((u) => u.by === 'pitstop').map((u) => `${u.state} ${u.node}`);

async function nodeLine(world: ServeWorld, node: string): Promise<string> {
  return (await execa('scontrol', ['show', 'node', node, '-o'], { env: world.slurm.env })).stdout;
}

/** Runs one event on `node` under one serve until it finishes; `during` acts on the world meanwhile. */
async function oneJob(
  world: ServeWorld,
  name: string,
  node: string,
  during: (c: ServeCase, serve: ReturnType<ServeCase['serve']>) => Promise<void>,
  options: Parameters<typeof serveCase>[2] & {
    env?: Record<string, string>;
    /** Before serve starts (after the world was reset for the case). */
    before?: () => Promise<unknown>;
  } = {},
): Promise<{ record: FleetRecord; job: MaintenanceJob | undefined }> {
  const c = await serveCase(world, [{ name, node }], options);
  try {
    await options.before?.();
    const serve = c.serve(options.env);
    await during(c, serve);
    await c.finished(90_000);
    await serve.kill('SIGTERM');
    const record = await c.record();
    return { record, job: finishedJob(record, name) };
  } finally {
    await c.stop();
  }
}

export const SLURM_CASES: ChaosCase<ServeWorld>[] = [
  {
    group: 'slurm',
    name: 'slurmctld stopped, then back',
    fault: 'slurmctld is stopped for 10 s while the drain waits for a Slurm job, then started again',
    expected: 'the job waits through the outage and goes on: one drain, one resume',
    async run(world) {
      const { record, job } = await oneJob(
        world,
        'ctld',
        'gpu-2',
        async (_c, serve) => {
          await serve.line('the drain begun', saying(/draining \(reason/));
          await world.slurm.stopController();
          await delay(10_000);
          await world.slurm.startController();
        },
        { before: () => world.harness.runSlurmJob('gpu-2', 6) },
      );
      expect(job?.outcome).toBe('returned');
      expect(pitstopUpdates(record)).toEqual(['DRAIN gpu-2', 'RESUME gpu-2']);
      return record;
    },
    timeoutMs: 150_000,
  },
  {
    group: 'slurm',
    name: 'Slurm job outlasts the drain timeout',
    fault: 'a Slurm job runs on the node far past DRAIN_TIMEOUT (5 s)',
    expected: 'the job stops for a human naming the Slurm job; the node stays drained; OCI is not asked',
    async run(world) {
      let slurmJob = '';
      const { record, job } = await oneJob(world, 'longjob', 'gpu-3', async () => {}, {
        env: { DRAIN_TIMEOUT: '5s' },
        before: async () => {
          slurmJob = await world.harness.runSlurmJob('gpu-3', 600);
        },
      });
      expect(job?.outcome).toBe('failed');
      expect(job?.reason).toContain(slurmJob);
      expect(pitstopUpdates(record)).toEqual(['DRAIN gpu-3']);
      expect(record.oci.filter((r) => r.operation === 'updateInstanceMaintenanceEvent')).toEqual([]);
      expect(await nodeLine(world, 'gpu-3')).toMatch(/Reason=pitstop job-/);
      return record;
    },
  },
  {
    group: 'slurm',
    name: 'node never comes back',
    fault: "the maintenance stops the node's slurmd and nothing starts it again (BACK_TIMEOUT 8 s)",
    expected: 'the node is kept out, not resumed, and the job says the node is not back',
    async run(world) {
      const { record, job } = await oneJob(world, 'gone', 'gpu-4', async () => {}, {
        comesBack: 'never',
        env: { BACK_TIMEOUT: '8s' },
      });
      expect(job?.outcome, job?.reason).toBe('kept_out');
      expect(job?.reason).toMatch(/not back|come back/);
      // Kept out: the drain, then the job's FAIL reason written over its own drain (FAIL_MODE=DRAIN).
      expect(pitstopUpdates(record)).toEqual(['DRAIN gpu-4', 'DRAIN gpu-4']);
      return record;
    },
  },
  byHandMidJob('gpu-1', 'RESUME'),
  byHandMidJob('gpu-2', 'DRAIN', 'ops: fan replaced, keep out'),
];

/** An operator resumes or drains the node by hand while OCI maintains it: Pitstop resumes nothing. */
function byHandMidJob(node: string, state: 'RESUME' | 'DRAIN', reason?: string): ChaosCase<ServeWorld> {
  const verb = state === 'RESUME' ? 'resumes' : 'drains';
  return {
    group: 'slurm',
    name: `human ${verb} the node mid-job`,
    fault: `an operator ${verb} the node by hand${reason ? ` ("${reason}")` : ''} while OCI maintains it`,
    expected:
      state === 'RESUME'
        ? 'Pitstop never resumes the node a second time'
        : "the node stays out with the operator's reason after a PASS; Pitstop resumes nothing",
    async run(world) {
      const { record } = await oneJob(world, `hand${state.toLowerCase()}`, node, async (_c, serve) => {
        await serve.line('the maintenance wait', reached('maintenance'));
        await world.human(node, state, reason);
      });
      expect(pitstopUpdates(record)).toEqual([`DRAIN ${node}`]);
      if (reason) expect(await nodeLine(world, node)).toContain(`Reason=${reason}`);
      return record;
    },
  };
}
