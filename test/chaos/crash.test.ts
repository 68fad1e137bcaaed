/**
 * Chaos, crashes: `pitstop serve` as a process, SIGKILLed at every phase boundary and inside
 * phases, then started again, against the real Slurm test cluster and the OCI simulator.
 * Under CI=true a missing Slurm fails.
 */
import { existsSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import { event } from '../oci/sim-fixture.js';
import type { ChaosCase } from './matrix.js';
import {
  describeServeMatrix,
  reached,
  type ServeCase,
  type ServeProcess,
  type ServeWorld,
  saying,
  serveCase,
} from './serve-world.js';

const NODE = 'gpu-1';
const EVENT = event('crash');

interface KillPoint {
  /** Set up before the first serve starts. */
  before?: (world: ServeWorld, c: ServeCase) => Promise<void>;
  /** Resolves when serve is to be killed. */
  at: (serve: ServeProcess, c: ServeCase, world: ServeWorld) => Promise<void>;
}

/**
 * SIGKILLs serve at each kill point in turn (a new serve after each), then lets the last serve
 * finish the job: exactly one drain and one resume in Slurm, one window move in OCI.
 */
function killAt(name: string, when: string, ...points: KillPoint[]): ChaosCase<ServeWorld> {
  return {
    group: 'crash',
    name,
    fault: `SIGKILL of serve ${when}, then a restart`,
    expected: 'the job completes: one drain, one window move, one resume',
    async run(world) {
      const node = NODE;
      const c = await serveCase(world, [{ name: 'crash', node }]);
      try {
        for (const point of points) {
          await point.before?.(world, c);
          const serve = c.serve();
          await point.at(serve, c, world);
          expect((await serve.kill('SIGKILL')).signal).toBe('SIGKILL');
        }
        const second = c.serve();
        await c.finished();
        await second.kill('SIGTERM');
        const record = await c.record();
        expect(record.state.finished[EVENT]?.outcome).toBe('returned');
        const updates = record.slurm.map((u) => `${u.state} ${u.node}`);
        expect(updates).toEqual([`DRAIN ${node}`, `RESUME ${node}`]);
        return record;
      } finally {
        await c.stop();
      }
    },
  };
}

const entering = (phase: string): KillPoint => ({
  at: (serve) => serve.line(`the job entering ${phase}`, reached(phase)),
});

/** Polls until `check` holds (the world outside serve: OCI's request log, a marker file). */
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`test: ${what} within ${timeoutMs} ms`);
    await delay(100);
  }
}

const drainBlocked: KillPoint = {
  // A Slurm job holds the node for a few seconds: serve dies while it waits for the drain.
  before: async (world) => {
    await world.harness.runSlurmJob(NODE, 8);
  },
  at: (serve) => serve.line('the drain begun', saying(/draining \(reason/)),
};

const scheduleInFlight: KillPoint = {
  // OCI takes 1.5 s to answer the window move: serve dies with the request sent, unanswered.
  before: async (_world, c) => {
    c.oci.sim.faults.set('updateInstanceMaintenanceEvent', { latencyMs: 1_500 });
  },
  at: (_serve, c) =>
    until('the window move sent to OCI', () =>
      c.oci.sim.requests.some((r) => r.retryToken?.startsWith('pitstop-schedule-')),
    ),
};

const maintenanceUnderway: KillPoint = {
  at: (_serve, c) =>
    until('OCI maintaining the instance', () => c.oci.sim.fleet.event(EVENT).lifecycleState === 'PROCESSING'),
};

const healthRunning: KillPoint = {
  // The DCGM check takes 2 s and says when it started: serve dies in the middle of the checks.
  before: async (world) => {
    const dir = world.standins.dir;
    await rm(join(dir, 'dcgmi.started'), { force: true });
    await copyFile(join(dir, 'dcgmi'), join(dir, 'dcgmi.healthy'));
    await world.standins.write(
      'dcgmi',
      `touch '${dir}/dcgmi.started'\nsleep 2\nexec '${dir}/dcgmi.healthy' "$@"`,
    );
  },
  at: (_serve, _c, world) =>
    until('the GPU checks running', () => existsSync(join(world.standins.dir, 'dcgmi.started'))),
};

const CASES: ChaosCase<ServeWorld>[] = [
  killAt('SIGKILL entering draining', 'right after the approval', entering('draining')),
  killAt('SIGKILL in drain', 'while a Slurm job keeps the node draining', drainBlocked),
  killAt('SIGKILL entering scheduling', 'as the job enters scheduling', entering('scheduling')),
  killAt('SIGKILL in schedule', 'with the window move sent and not yet answered', scheduleInFlight),
  killAt('SIGKILL entering maintenance', 'as the job enters the maintenance wait', entering('maintenance')),
  killAt('SIGKILL in maintenance', 'while OCI maintains the instance', maintenanceUnderway),
  killAt('SIGKILL entering health', 'as the job enters health', entering('health')),
  killAt('SIGKILL in health', 'while the GPU checks run', healthRunning),
  killAt('SIGKILL entering triage', 'as the job enters triage', entering('triage')),
  killAt('SIGKILL entering bookkeeping', 'as the job enters bookkeeping', entering('bookkeeping')),
  killAt(
    'SIGKILL three times',
    'in drain, in the schedule and in maintenance',
    drainBlocked,
    scheduleInFlight,
    maintenanceUnderway,
  ),
];

describeServeMatrix('chaos: crashes', CASES);
