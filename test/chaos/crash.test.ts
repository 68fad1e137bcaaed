/**
 * Chaos, crashes: `pitstop serve` as a process, SIGKILLed at every phase boundary and inside
 * phases, then started again, against the real Slurm test cluster and the OCI simulator.
 * Under CI=true a missing Slurm fails.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { event } from '../oci/sim-fixture.js';
import { slurmUnavailableReason } from '../support/slurm-cluster.js';
import { type ChaosCase, runMatrix } from './matrix.js';
import { reached, type ServeProcess, type ServeWorld, serveCase, startServeWorld } from './serve-world.js';

const unavailable = slurmUnavailableReason();
const mustRun = process.env.CI === 'true';
if (unavailable && !mustRun) console.warn(`skipping the crash matrix: ${unavailable}`);

/** SIGKILLs serve once `when` is logged, starts it again, and lets the job finish. */
function killAt(
  name: string,
  when: string,
  at: (serve: ServeProcess) => Promise<void>,
): ChaosCase<ServeWorld> {
  return {
    group: 'crash',
    name,
    fault: `SIGKILL of serve ${when}, then a restart`,
    expected: 'the job completes: one drain, one window move, one resume',
    async run(world) {
      const node = 'gpu-1';
      const c = await serveCase(world, [{ name: 'crash', node }]);
      try {
        const first = c.serve();
        await at(first);
        expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
        const second = c.serve();
        await c.finished();
        await second.kill('SIGTERM');
        const record = await c.record();
        expect(record.state.finished[event('crash')]?.outcome).toBe('returned');
        const updates = record.slurm.map((u) => `${u.state} ${u.node}`);
        expect(updates).toEqual([`DRAIN ${node}`, `RESUME ${node}`]);
        return record;
      } finally {
        await c.stop();
      }
    },
  };
}

const CASES: ChaosCase<ServeWorld>[] = [
  killAt('SIGKILL entering scheduling', 'as the job enters scheduling', (s) => s.line('scheduling', reached('scheduling'))),
];

describe.skipIf(unavailable !== null && !mustRun)('chaos: crashes', () => {
  let world: ServeWorld;
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI needs a real Slurm for the chaos matrix: ${unavailable}`);
    world = await startServeWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });
  runMatrix(CASES, () => world);
});
