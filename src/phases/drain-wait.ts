import { dueTimes } from '../domain/due-date.js';
import type { JobAction, MaintenanceJob } from '../domain/job.js';
import { drainOwner, type SlurmJob } from '../domain/node.js';
import type { PhaseContext } from './phase.js';
import { threadReporter } from './thread.js';

/**
 * Waits until Slurm says the node is drained, within DRAIN_TIMEOUT and the event's hard due date
 * (OCI acts on its own then). Still waiting on Slurm jobs within DUE_WARNING of the due date, it
 * returns `due_warned` once (the orchestrator records it, the thread asks, and the phase runs
 * again to wait on). A due decision (`context.dueDecided`) or the due date itself ends the wait
 * with `drain_cut_short`: the node stays drained, so no new Slurm job lands, and the job goes on.
 */
export async function waitForDrain(
  job: MaintenanceJob,
  node: string,
  context: PhaseContext,
): Promise<JobAction> {
  const { cluster, clock } = context.ports;
  const due = dueTimes(job.event, context.settings.dueWarningMs);
  const drainDeadline = new Date(clock.now().getTime() + context.settings.drainTimeoutMs);
  const warning = new AbortController();
  let stillRunning: SlurmJob[] | undefined;
  const signals = [context.signal, context.dueDecided, warning.signal].filter((s) => s !== undefined);
  try {
    await cluster.waitDrained(node, {
      deadline: due && due.due < drainDeadline ? due.due : drainDeadline,
      onProgress: threadReporter(job, context),
      signal: AbortSignal.any(signals),
      onDrainProgress: ({ blocking }) => {
        const now = clock.now();
        if (!due || job.dueWarning || blocking.length === 0) return;
        if (now < due.warnAt || now >= due.due) return;
        stillRunning = blocking;
        warning.abort(new Error(`the hard due date of ${node} is near`));
      },
    });
    return { type: 'drained', drainedBy: 'pitstop' };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    if (stillRunning) return { type: 'due_warned', slurmJobs: stillRunning };
    const decided = context.dueDecided?.aborted === true;
    const dueDateReached = due !== undefined && clock.now() >= due.due;
    if (!decided && !dueDateReached) throw error;
    return cutShort(job, node, context, dueDateReached);
  }
}

/**
 * Stops waiting for the node's Slurm jobs. Only while the node still carries this job's drain: one
 * resumed meanwhile (by hand, as the wait ended) takes Slurm jobs again, and must not go to OCI.
 * A node that finished draining after all is simply drained.
 */
export async function cutShort(
  job: MaintenanceJob,
  node: string,
  context: PhaseContext,
  dueDateReached: boolean,
): Promise<JobAction> {
  const status = await context.ports.cluster.status(node);
  if (status.drain !== 'none' && drainOwner(status.reason) === job.id) {
    return status.drain === 'drained'
      ? { type: 'drained', drainedBy: 'pitstop' }
      : { type: 'drain_cut_short', dueDateReached };
  }
  throw new Error(
    `${node} no longer carries this job's drain (state ${status.state}${status.reason ? `, reason "${status.reason}"` : ''}), ` +
      'so it was neither scheduled nor left to OCI',
  );
}
