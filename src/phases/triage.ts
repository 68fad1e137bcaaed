import type { MaintenanceJob } from '../domain/job.js';
import { holderOf, isOutOfService, jobReason, releaseByHand } from '../domain/node.js';
import type { RecommendedAction } from '../domain/verdict.js';
import { drainReason } from './drain.js';
import type { PhaseContext, PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';

const ADVICE: Record<RecommendedAction, string> = {
  none: 'look at the node before resuming it',
  fix_config: 'fix the node setting, then resume it',
  reset_gpu: 'reset the GPU (nvidia-smi -r), check again, then resume it',
  reboot: 'reboot the node, check again, then resume it',
  terminate: 'the hardware needs OCI: open a ticket or terminate the instance so OCI replaces the host',
};

/** What kept the node from coming back, in words: the verdict's reasons, or OCI's outcome. */
function problemOf(job: MaintenanceJob): string {
  if (!job.verdict) return `OCI reports the maintenance ${job.maintenanceState ?? 'did not finish'}`;
  const { status, reasons } = job.verdict;
  return `health ${status}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
}

const adviceFor = (job: MaintenanceJob) => `Recommended: ${ADVICE[job.verdict?.action ?? 'none']}.`;

/** After a PASS on a node this job did not drain: who holds it, and how to release it by hand. */
async function heldElsewhere(node: string, context: PhaseContext): Promise<string> {
  const status = await context.ports.cluster.status(node);
  if (!isOutOfService(status))
    return `${node} passed its checks; it was not drained by this job and is in service now`;
  return (
    `${node} passed its checks but this job did not drain it, so it stays out: ${holderOf(status)}. ` +
    `Release it by hand once that reason is settled: ${releaseByHand(status)}`
  );
}

/**
 * Only a PASS on a node this job drained puts it back, and only when no other open job on the
 * node waits for it: then the drain is handed to the next job (re-drained with its reason), so
 * that job finds it as its own and the node comes back only after the last of them. Everything
 * else keeps it out: this job's drain becomes FAIL_MODE with the problem as its reason; a node
 * anyone else holds (an operator, another job) is left exactly as it is.
 */
export const triage: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'triage',
    'Check the node in Slurm and resume it or keep it out by hand.',
    async (node) => {
      const { cluster } = context.ports;
      if (job.verdict?.status === 'PASS' && job.drainedBy === 'pitstop') {
        // Back in service already: an earlier run resumed it and crashed before saying so.
        if (!isOutOfService(await cluster.status(node))) {
          return {
            type: 'triaged',
            result: 'resumed',
            reason: `${node} passed its checks and is in service`,
          };
        }
        const [next] = context.otherJobsOnNode?.(job) ?? [];
        if (next) {
          const handed = await cluster.drain(node, drainReason(next), { from: job.id });
          const why = handed.ours
            ? `it stays drained for job ${next.id} (event ${next.eventId}), the next open job on ${node}`
            : handed.why;
          return { type: 'triaged', result: 'kept_out', reason: `${node} passed its checks; ${why}` };
        }
        const resumed = await cluster.resume(node, { owner: job.id });
        return resumed.resumed
          ? { type: 'triaged', result: 'resumed', reason: `${node} passed its checks and is back in service` }
          : { type: 'triaged', result: 'kept_out', reason: `${node} passed its checks but ${resumed.why}` };
      }
      const problem = problemOf(job);
      if (job.drainedBy !== 'pitstop') {
        const reason =
          job.verdict?.status === 'PASS'
            ? await heldElsewhere(node, context)
            : `${node} was drained by someone else and is left as it is; ${problem}. ${adviceFor(job)}`;
        return { type: 'triaged', result: 'kept_out', reason };
      }
      const mode = context.settings.failMode;
      const held = await cluster.markFailed(node, jobReason(job.id, problem), mode);
      const how = held.ours ? `kept out (${mode})` : `left as it is: ${held.why}`;
      return { type: 'triaged', result: 'kept_out', reason: `${node} ${how}; ${problem}. ${adviceFor(job)}` };
    },
  );
