import type { MaintenanceJob } from '../domain/job.js';

/**
 * Something that holds new drains (kured's blockers): a freeze file, a Slurm reservation, a
 * Prometheus alert. A blocker that cannot tell holds too (fail closed), saying why.
 */
export interface Blocker {
  /** Named in the thread, so an operator knows which one to lift. */
  readonly name: string;
  /** `fleet`: the same answer for every job, read once per look; `node`: read per job. */
  readonly scope: 'fleet' | 'node';
  /**
   * Why it holds this job's drain now, or undefined when it does not. `once` shares a read
   * (Slurm's reservations, say) among the jobs of one look; without it, each call reads.
   */
  holds(job: MaintenanceJob, now: Date, once?: ReadOnce): Promise<string | undefined>;
}

/** Within one look at the blockers, the read under `key` is made once, for every job asked about. */
export type ReadOnce = <T>(key: string, read: () => Promise<T>) => Promise<T>;
