import type { MaintenanceJob } from '../../domain/job.js';
import type { Cluster } from '../../ports.js';
import type { Blocker } from '../blocker.js';
import { isoDurationMs } from '../iso-duration.js';

/** How long a maintenance is taken to last when OCI gives no (readable) `estimatedDuration`. */
export const DEFAULT_MAINTENANCE_MS = 2 * 3_600_000;

/**
 * When the node would be back: the drain starts now, OCI starts the maintenance LEAD_TIME later
 * and takes the event's `estimatedDuration` (ISO 8601), or DEFAULT_MAINTENANCE_MS without one.
 */
export function maintenanceEnd(
  job: MaintenanceJob,
  now: Date,
  leadTimeMs: number,
): { end: Date; assumed: string } {
  const given = isoDurationMs(job.event.estimatedDuration);
  const durationMs = given ?? DEFAULT_MAINTENANCE_MS;
  const assumed = given
    ? `its estimatedDuration ${job.event.estimatedDuration}`
    : `${DEFAULT_MAINTENANCE_MS / 3_600_000}h, as OCI gives no estimatedDuration`;
  return { end: new Date(now.getTime() + leadTimeMs + durationMs), assumed };
}

/**
 * A Slurm reservation on the job's node that starts before its maintenance would end: taking the
 * node now would break what someone reserved it for. Reservations already over are not listed.
 */
export function slurmReservation(cluster: Pick<Cluster, 'reservations'>, leadTimeMs: number): Blocker {
  return {
    name: 'Slurm reservation',
    scope: 'node',
    async holds(job, now, once = (_key, read) => read()) {
      let reservations: Awaited<ReturnType<Cluster['reservations']>>;
      try {
        // One read of Slurm's reservations for all the jobs of a look, not one per waiting job.
        reservations = await once('Slurm reservations', () => cluster.reservations());
      } catch (error) {
        return `cannot read Slurm's reservations (${(error as Error).message}); the drain waits until they can be read`;
      }
      const { end, assumed } = maintenanceEnd(job, now, leadTimeMs);
      const clash = reservations.find((r) => r.nodes.includes(job.node!) && new Date(r.start) < end);
      if (!clash) return undefined;
      return (
        `Slurm reservation ${clash.name} (${clash.start} to ${clash.end}, users ${clash.users ?? 'any'}) holds ${job.node}, ` +
        `and the maintenance would last until about ${end.toISOString()} (lead time plus ${assumed}); ` +
        `it starts once the reservation ends or no longer covers ${job.node}`
      );
    },
  };
}
