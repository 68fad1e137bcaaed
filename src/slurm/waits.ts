import type { NodeStatus, SlurmJob } from '../domain/node.js';
import { type PollSettings, pollUntil } from '../poll.js';
import type { Clock, DrainProgress, WaitOptions } from '../ports.js';
import { SlurmWaitError } from './errors.js';

export const DEFAULT_POLL: PollSettings = { initialMs: 2_000, maxMs: 30_000, progressEveryMs: 5 * 60_000 };

export function describeSlurmJobs(jobs: SlurmJob[]): string {
  return jobs
    .map((job) => `${job.id} (${job.user}, ${job.name}, ${job.elapsed} of ${job.timeLimit})`)
    .join(', ');
}

interface NodeSource {
  status(node: string): Promise<NodeStatus>;
  slurmJobsOn(node: string): Promise<SlurmJob[]>;
}

export function waitUntilDrained(
  source: NodeSource,
  clock: Clock,
  poll: PollSettings,
  node: string,
  options: WaitOptions & { onDrainProgress?: (p: DrainProgress) => void },
): Promise<NodeStatus> {
  return pollUntil<NodeStatus>(
    clock,
    poll,
    {
      ...options,
      awaited: `${node} to drain`,
      source: 'Slurm',
      giveUp: (message) => new SlurmWaitError(message, node),
      onTimeout:
        'End those Slurm jobs (scancel) or let them finish; raise DRAIN_TIMEOUT if such jobs are normal.',
    },
    async (waitedMs) => {
      const status = await source.status(node);
      if (status.drain === 'drained') return { done: status };
      if (status.drain === 'none') {
        throw new SlurmWaitError(
          `${node} is no longer draining (state ${status.state}): someone resumed it while ` +
            `Pitstop waited, so the drain is abandoned. OCI keeps the event at its own window: ` +
            `drain the node by hand before then (pitstop node drain ${node}).`,
          node,
        );
      }
      const blocking = await source.slurmJobsOn(node);
      options.onDrainProgress?.({ status, blocking, waitedMs });
      return {
        waiting:
          blocking.length > 0
            ? `${node} is draining; Slurm jobs still running: ${describeSlurmJobs(blocking)}`
            : `${node} is draining; its last Slurm jobs are completing`,
      };
    },
  );
}

/** Slurm's times have whole seconds: a registration in the same second as `since` counts. */
const registeredSince = (status: NodeStatus, since: Date) =>
  status.slurmdStartTime !== undefined &&
  new Date(status.slurmdStartTime).getTime() >= Math.floor(since.getTime() / 1000) * 1000;

export function waitUntilBack(
  source: NodeSource,
  clock: Clock,
  poll: PollSettings,
  node: string,
  since: Date,
  options: WaitOptions,
): Promise<NodeStatus> {
  return pollUntil<NodeStatus>(
    clock,
    poll,
    {
      ...options,
      awaited: `${node} to come back`,
      source: 'Slurm',
      giveUp: (message) => new SlurmWaitError(message, node),
      onTimeout: `Check the instance and its slurmd (systemctl status slurmd on ${node}).`,
    },
    async () => {
      const status = await source.status(node);
      if (status.responding && registeredSince(status, since)) return { done: status };
      const registered = status.slurmdStartTime ?? 'never';
      return {
        waiting:
          `${node} is not back: ${status.responding ? 'responding' : 'not responding'}, ` +
          `slurmd last registered ${registered} (waiting for one after ${since.toISOString()})`,
      };
    },
  );
}
