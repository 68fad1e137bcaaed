import type { MaintenanceJob } from '../domain/job.js';
import type { ProgressReporter } from '../ports.js';
import type { PhaseContext } from './phase.js';

/**
 * Progress lines into the event's thread, best effort: a line that cannot be posted is dropped,
 * because a Slack outage must not stop a drain or a maintenance wait. Phase changes, which
 * matter more, go through the orchestrator.
 */
export function threadReporter(job: MaintenanceJob, context: PhaseContext): ProgressReporter {
  return (message) => {
    context.ports.notifier.progress(job, message).catch(() => {});
  };
}
