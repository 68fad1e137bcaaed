import { faultLabel } from '../domain/event.js';
import type { MaintenanceJob } from '../domain/job.js';
import { drainOwner, jobReason } from '../domain/node.js';
import { cutShort, waitForDrain } from './drain-wait.js';
import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

/** The reason a job drains its node with: it names the job, so only that job claims the drain. */
export const drainReason = (job: Pick<MaintenanceJob, 'id' | 'event' | 'eventId'>) =>
  jobReason(job.id, `${faultLabel(job.event)} ${job.eventId}`);

/**
 * Drains the node and waits until Slurm says drained. A node anyone else holds out (an
 * operator, by hand or through `pitstop node drain`, or another job, drained or kept out after
 * a FAIL) stays theirs (`drainedBy: other`, never resumed). A node already draining with this
 * job's reason was drained by an earlier run of this phase (before a crash), or handed to this
 * job by the job before it on the node: it is only waited for. Near the event's hard due date
 * the wait asks a human, and a due decision ends it (drain-wait.ts).
 */
export const drain: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'drain',
    'The node is left as it is, and OCI keeps the event at its own window: have the node drained by then (pitstop node drain), or resume it by hand (pitstop node resume) if it should take work.',
    async (node) => {
      const { cluster } = context.ports;
      const progress = threadReporter(job, context);
      const status = await cluster.status(node);
      const ourDrainRunning = status.drain !== 'none' && drainOwner(status.reason) === job.id;
      if (!ourDrainRunning) {
        const result = await cluster.drain(node, drainReason(job));
        if (!result.ours) {
          progress(result.why);
          return { type: 'drained', drainedBy: 'other' };
        }
      }
      // Decided before the drain began, or before a crash: the node is drained now, and that is enough.
      if (job.dueDecision) return cutShort(job, node, context, false);
      if (!job.dueWarning) progress(`${node}: draining (reason "${drainReason(job)}")`);
      return waitForDrain(job, node, context);
    },
  );
