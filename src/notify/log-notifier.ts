import type { MaintenanceJob } from '../domain/job.js';
import type { Logger } from '../log.js';
import type { Announcement, Notifier } from '../ports.js';

const fields = (job: MaintenanceJob) => ({
  jobId: job.id,
  eventId: job.eventId,
  node: job.node ?? null,
  phase: job.phase,
});

/**
 * The Notifier of headless mode: what Slack would show, as structured log lines (one per
 * announcement, phase change and progress line), so an operator can follow a job with `jq`.
 */
export class LogNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  /** Headless, the log line is the announcement: there is no message to find again. */
  async announce(job: MaintenanceJob): Promise<Announcement> {
    // Announced late (after a crash or a failed post), the job may be decided already.
    const ask =
      job.phase === 'awaiting_approval'
        ? 'approve or deny it (pitstop approve|deny)'
        : `already ${job.phase}${job.reason ? ` (${job.reason})` : ''}`;
    this.log.info(
      {
        ...fields(job),
        notify: 'announce',
        reason: job.event.reason,
        windowStart: job.event.timeWindowStart,
      },
      `new maintenance event ${job.eventId} on ${job.node ?? 'an unmapped instance'}: ${ask}`,
    );
    return {};
  }

  async phaseChanged(job: MaintenanceJob, previous: MaintenanceJob): Promise<void> {
    this.log.info(
      {
        ...fields(job),
        notify: 'phase',
        from: previous.phase,
        outcome: job.outcome,
        ...(job.ticket && !previous.ticket ? { ticket: job.ticket } : {}),
      },
      `${previous.phase} → ${job.phase}${job.reason ? `: ${job.reason}` : ''}`,
    );
  }

  async progress(job: MaintenanceJob, message: string): Promise<void> {
    this.log.info({ ...fields(job), notify: 'progress' }, message);
  }
}
