import type { MaintenanceJob } from '../domain/job.js';
import { isOutOfService, PITSTOP_REASON_PREFIX } from '../domain/node.js';
import type { RecommendedAction } from '../domain/verdict.js';
import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';

/** Slurm keeps a reason as one line; ours must also fit the 400 characters Pitstop allows. */
const MAX_SLURM_REASON = 400;

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

function slurmReason(problem: string): string {
  const line = [...`${PITSTOP_REASON_PREFIX} ${problem}`]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('');
  return line.length <= MAX_SLURM_REASON ? line : `${line.slice(0, MAX_SLURM_REASON - 1)}…`;
}

/**
 * Only a PASS on a node Pitstop drained puts it back (`Cluster.resume` still refuses someone
 * else's reason). Everything else keeps it out: our drain becomes FAIL_MODE with the problem as
 * its reason; a node someone else holds is left exactly as it is.
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
        const resumed = await cluster.resume(node);
        return resumed.resumed
          ? { type: 'triaged', result: 'resumed', reason: `${node} passed its checks and is back in service` }
          : { type: 'triaged', result: 'kept_out', reason: `${node} passed its checks but ${resumed.why}` };
      }
      const problem = problemOf(job);
      if (job.drainedBy !== 'pitstop') {
        return {
          type: 'triaged',
          result: 'kept_out',
          reason: `${node} was drained by someone else and is left as it is; ${problem}. ${adviceFor(job)}`,
        };
      }
      const mode = context.settings.failMode;
      const held = await cluster.markFailed(node, slurmReason(problem), mode);
      const how = held.ours ? `kept out (${mode})` : `left as it is: ${held.why}`;
      return { type: 'triaged', result: 'kept_out', reason: `${node} ${how}; ${problem}. ${adviceFor(job)}` };
    },
  );
