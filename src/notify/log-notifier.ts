import type { MaintenanceJob } from '../domain/job.js';
import type { SlurmJob } from '../domain/node.js';
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
    if (job.dueWarning && !previous.dueWarning) return this.dueWarning(job, job.dueWarning.slurmJobs);
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

  /** The hard due date's question, headless: the Slurm jobs by id, owner and name, and the two commands. */
  private dueWarning(job: MaintenanceJob, slurmJobs: SlurmJob[]): void {
    const ref = job.node ?? job.eventId;
    const running = slurmJobs.map((s) => `${s.id} (${s.user}, ${s.name})`).join(', ');
    this.log.warn(
      { ...fields(job), notify: 'due_warning', due: job.event.timeHardDueDate, slurmJobs },
      `hard due date ${job.event.timeHardDueDate} of event ${job.eventId} is near and the drain of ${ref} still waits on Slurm jobs ${running}: ` +
        `pitstop proceed ${ref} (the node stays drained and OCI maintains it now, ending those Slurm jobs; requeueing them is their owners' call) ` +
        `or pitstop leave-to-oci ${ref} (OCI acts at its own window); with no decision by the due date it is left to OCI`,
    );
  }

  async progress(job: MaintenanceJob, message: string): Promise<void> {
    this.log.info({ ...fields(job), notify: 'progress' }, message);
  }
}
