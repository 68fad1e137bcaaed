import type { MaintenanceJob } from './job.js';

/**
 * A node kept out because something is wrong with it: its checks said FAIL or ERROR (ERROR keeps
 * it out as surely: nothing proved it healthy), or OCI's maintenance FAILED and nothing checked it
 * after. A PASS that stays out (someone else holds the node, or the next job takes the drain) is
 * no fault and opens no ticket.
 */
export function failedItsChecks(job: MaintenanceJob): boolean {
  if (job.triage !== 'kept_out') return false;
  if (job.verdict) return job.verdict.status !== 'PASS';
  return job.maintenanceState === 'FAILED';
}
