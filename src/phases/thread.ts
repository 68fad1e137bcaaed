import type { MaintenanceJob } from '../domain/job.js';
import type { ProgressReporter } from '../ports.js';
import type { PhaseContext } from './phase.js';

/**
 * Progress lines into the event's thread, not awaited: a drain or a maintenance wait never waits
 * for Slack. The orchestrator hands the phases a LoggedNotifier, which logs a line it could not
 * post (with the job) and never rejects.
 */
export function threadReporter(job: MaintenanceJob, context: PhaseContext): ProgressReporter {
  return (message) => {
    void context.ports.notifier.progress(job, message);
  };
}
