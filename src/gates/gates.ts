import type { MaintenanceJob } from '../domain/job.js';
import type { MaintenanceWindow } from '../domain/windows.js';
import type { Blocker } from './blocker.js';
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
   * One look at the blockers, for one pump: fleet-wide ones (a file, a query) are read once and
   * their answer kept for every job of that pump; node ones are read per job.
   */
  look(now: Date): (job: MaintenanceJob) => Promise<BlockerHold | undefined> {
    const fleet = new Map<string, Promise<string | undefined>>();
    const holds = new Map<string, string>();
    this.lastHolds = holds;
    return async (job) => {
      for (const blocker of this.blockers) {
        let answer: Promise<string | undefined>;
        if (blocker.scope === 'fleet') {
          answer = fleet.get(blocker.name) ?? blocker.holds(job, now);
          fleet.set(blocker.name, answer);
        } else answer = blocker.holds(job, now);
        const message = await answer;
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
