import type { MaintenanceJob } from '../domain/job.js';
import type { Logger } from '../log.js';
import type { Announcement, Notifier } from '../ports.js';

/**
 * The Notifier as the orchestrator and the phases use it. A phase change or thread line that
 * cannot be posted is logged at warn with its job, once, and not thrown: the job is durable
 * already, and a Slack outage must neither stop a drain nor repeat a step. The announcement is
 * passed through, because its caller records whether it was posted and posts it again if not.
 */
export class LoggedNotifier implements Notifier {
  constructor(
    private readonly notifier: Notifier,
    private readonly log: Logger,
  ) {}

  announce(job: MaintenanceJob): Promise<Announcement> {
    return this.notifier.announce(job);
  }

  /** A digest that cannot be posted is logged: each job's own announcement already asks. */
  async announceBatch(jobs: MaintenanceJob[]): Promise<void> {
    try {
      await this.notifier.announceBatch?.(jobs);
    } catch (error) {
      this.log.warn(
        { jobIds: jobs.map((job) => job.id), err: error },
        `could not post the digest of ${jobs.length} new events; each has its own message`,
      );
    }
  }

  phaseChanged(job: MaintenanceJob, previous: MaintenanceJob): Promise<void> {
    return this.logged(job, `the phase change ${previous.phase} → ${job.phase}`, () =>
      this.notifier.phaseChanged(job, previous),
    );
  }

  progress(job: MaintenanceJob, message: string): Promise<void> {
    return this.logged(job, `a thread line: ${message}`, () => this.notifier.progress(job, message));
  }

  private async logged(job: MaintenanceJob, what: string, post: () => Promise<void>): Promise<void> {
    try {
      await post();
    } catch (error) {
      this.log.warn(
        { jobId: job.id, eventId: job.eventId, node: job.node, phase: job.phase, err: error },
        `could not post ${what}`,
      );
    }
  }
}
