import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Clock } from '../ports.js';
import { SlurmCluster } from './cluster.js';
import { SlurmCommands } from './commands.js';

/** The Cluster port over the real Slurm commands, as the configuration says. */
export function slurmClusterFromConfig(slurm: Config['slurm'], clock: Clock = systemClock): SlurmCluster {
  const commands = new SlurmCommands({
    ...(slurm.binDir ? { binDir: slurm.binDir } : {}),
    ...(slurm.conf ? { conf: slurm.conf } : {}),
    timeoutMs: slurm.timeoutMs,
    clock,
  });
  return new SlurmCluster(commands, clock);
}
