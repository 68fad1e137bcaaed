import type { MaintenanceJob } from '../domain/job.js';
import type { MaintenanceWindow } from '../domain/windows.js';
import type { Blocker, ReadOnce } from './blocker.js';
import { type WindowDecision, windowDecision } from './window.js';

export type { Blocker } from './blocker.js';

export interface BlockerHold {
  blocker: string;
  message: string;
}

/**
 * What may hold a new drain besides capacity and pause: MAINTENANCE_WINDOWS and the blockers.
 * Only a job about to start its drain asks; a job past it holds its node already and goes on.
 */
export class Gates {
  /** The holds the last look found, for status(): blocker name → message. */
  private lastHolds = new Map<string, string>();

  constructor(
    readonly windows: readonly MaintenanceWindow[],
    readonly blockers: readonly Blocker[],
  ) {}

  window(job: MaintenanceJob, now: Date): WindowDecision {
    return windowDecision(job.event, this.windows, now);
  }

  /**
   * One look at the blockers, for one pump: whatever they read (a file, a query, Slurm's
   * reservations) is read once and kept for every job of that pump; a fleet-wide blocker's
   * whole answer is the same for every job.
   */
  look(now: Date): (job: MaintenanceJob) => Promise<BlockerHold | undefined> {
    const reads = new Map<string, Promise<unknown>>();
    const once: ReadOnce = <T>(key: string, read: () => Promise<T>) => {
      if (!reads.has(key)) reads.set(key, read());
      return reads.get(key) as Promise<T>;
    };
    const holds = new Map<string, string>();
    this.lastHolds = holds;
    return async (job) => {
      for (const blocker of this.blockers) {
        const message = await (blocker.scope === 'fleet'
          ? once(`${blocker.name} answer`, () => blocker.holds(job, now, once))
          : blocker.holds(job, now, once));
        if (message) {
          holds.set(blocker.scope === 'fleet' ? blocker.name : `${blocker.name} on ${job.node}`, message);
          return { blocker: blocker.name, message };
        }
      }
      return undefined;
    };
  }

  /** What held new drains at the last look (empty when nothing did or nothing was waiting). */
  activeHolds(): { blocker: string; message: string }[] {
    return [...this.lastHolds].map(([blocker, message]) => ({ blocker, message }));
  }
}
