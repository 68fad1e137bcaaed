import { faultLabel } from '../domain/event.js';
import type { MaintenanceJob } from '../domain/job.js';
import { isPitstopReason, PITSTOP_REASON_PREFIX } from '../domain/node.js';
import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

const drainReason = (job: MaintenanceJob) =>
  `${PITSTOP_REASON_PREFIX} ${faultLabel(job.event)} ${job.eventId}`;

/**
 * Drains the node and waits until Slurm says drained. A node someone else holds out stays
 * theirs (`drainedBy: other`, never resumed). A node already draining with our reason was
 * drained by an earlier run of this phase (before a crash): it is only waited for.
 */
export const drain: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'drain',
    'The node is left as it is, and OCI keeps the event at its own window: have the node drained by then (pitstop node drain), or resume it by hand (pitstop node resume) if it should take work.',
    async (node) => {
      const { cluster, clock } = context.ports;
      const progress = threadReporter(job, context);
      const status = await cluster.status(node);
      const ourDrainRunning = status.drain !== 'none' && isPitstopReason(status.reason);
      if (!ourDrainRunning) {
        const result = await cluster.drain(node, drainReason(job));
        if (!result.ours) {
          progress(result.why);
          return { type: 'drained', drainedBy: 'other' };
        }
      }
      progress(`${node}: draining (reason "${drainReason(job)}")`);
      await cluster.waitDrained(node, {
        deadline: new Date(clock.now().getTime() + context.settings.drainTimeoutMs),
        onProgress: progress,
        signal: context.signal,
      });
      return { type: 'drained', drainedBy: 'pitstop' };
    },
  );
