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
  /** Why it holds this job's drain now, or undefined when it does not. */
  holds(job: MaintenanceJob, now: Date): Promise<string | undefined>;
}
