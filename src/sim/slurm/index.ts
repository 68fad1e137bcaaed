import type { PollSettings } from '../../poll.js';
import type { Clock } from '../../ports.js';
import { SlurmCluster } from '../../slurm/cluster.js';
import { type SimNodeSpec, SimSlurm } from './sim-slurm.js';

export { type SimNodeSpec, SimSlurm } from './sim-slurm.js';

/** The simulated Slurm and the Cluster port over it (the same SlurmCluster as real Slurm). */
export function createSimCluster(options: {
  clock: Clock;
  nodes: SimNodeSpec[];
  slurmdTimeoutMs?: number;
  poll?: Partial<PollSettings>;
}): { sim: SimSlurm; cluster: SlurmCluster } {
  const sim = new SimSlurm(options);
  return { sim, cluster: new SlurmCluster(sim, options.clock, options.poll) };
}
