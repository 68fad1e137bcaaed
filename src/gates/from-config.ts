import type { Config } from '../config.js';
import type { Cluster } from '../ports.js';
import type { Blocker } from './blocker.js';
import { blockFile } from './blockers/block-file.js';
import { prometheusQuery } from './blockers/prometheus.js';
import { slurmReservation } from './blockers/slurm-reservation.js';
import { Gates } from './gates.js';

/** The windows and the blockers the configuration asks for, cheapest first. */
export function gatesFromConfig(config: Config, cluster: Pick<Cluster, 'reservations'>): Gates {
  const { gates } = config;
  const blockers: Blocker[] = [
    ...(gates.blockFile ? [blockFile(gates.blockFile)] : []),
    ...(gates.slurmReservations ? [slurmReservation(cluster, config.pipeline.leadTimeMs)] : []),
    ...(gates.prometheus ? [prometheusQuery(gates.prometheus.url, gates.prometheus.query)] : []),
  ];
  return new Gates(gates.windows, blockers);
}
