import type { JobAction, MaintenanceJob } from '../domain/job.js';
import type { PhaseContext } from './phase.js';

/**
 * Runs a phase's work on the job's node. Whatever goes wrong (an OCI or Slurm error, a wait
 * that gave up) becomes a `fail` action that names the phase, the node, the event and what to
 * do: the job stops where it is and a human takes over. Only a shutdown is thrown, so the
 * orchestrator runs the phase again on restart instead of failing a job that was fine.
 */
export async function stopForHuman(
  job: MaintenanceJob,
  context: PhaseContext,
  phase: string,
  whatToDo: string,
  work: (node: string) => Promise<JobAction>,
): Promise<JobAction> {
  if (!job.node) {
    return {
      type: 'fail',
      reason: `${phase}: event ${job.eventId} is not mapped to a Slurm node; check NODE_MAPPING for instance ${job.event.instanceId}.`,
    };
  }
  try {
    return await work(job.node);
  } catch (error) {
    if (context.signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      type: 'fail',
      reason: `${phase} of ${job.node} (event ${job.eventId}) stopped: ${message.replace(/\.?\s*$/, '.')} ${whatToDo}`,
    };
  }
}
