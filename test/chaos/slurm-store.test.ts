/**
 * Chaos, Slurm and the store: `pitstop serve` as a process against the real Slurm test cluster
 * (slurmctld away, a Slurm job past the drain timeout, a node that never comes back, a human
 * acting by hand) and its state files (damaged, shared, full disk, modes). A file of its own, so
 * it runs beside crash.test.ts on a cluster of its own. Under CI=true a missing Slurm fails.
 */
import { describeServeMatrix } from './serve-world.js';
import { SLURM_CASES } from './slurm-cases.js';
import { STORE_CASES } from './store-cases.js';

describeServeMatrix('chaos: Slurm and the store', [...SLURM_CASES, ...STORE_CASES]);
