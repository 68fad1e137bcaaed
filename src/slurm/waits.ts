import type { NodeStatus, SlurmJob } from '../domain/node.js';
import type { Clock, DrainProgress, WaitOptions } from '../ports.js';
import { SlurmWaitError } from './errors.js';

export interface PollSettings {
  /** First pause between two looks; it doubles up to `maxMs`. */
  initialMs: number;
  maxMs: number;
  /** An unchanged situation is reported again after this long (a changed one at once). */
  progressEveryMs: number;
}

export const DEFAULT_POLL: PollSettings = { initialMs: 2_000, maxMs: 30_000, progressEveryMs: 5 * 60_000 };

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join(' ') || '0s'
  );
}

type Look<T> = { done: T } | { waiting: string };

/**
 * Looks until `look` says done, pausing with back-off on the injected clock, reporting
 * progress, and failing with the last situation once the deadline passes.
 */
export async function pollUntil<T>(
  clock: Clock,
  poll: PollSettings,
  options: WaitOptions & { node: string; awaited: string; onTimeout: string },
  look: (waitedMs: number) => Promise<Look<T>>,
): Promise<T> {
  const started = clock.now().getTime();
  let pause = poll.initialMs;
  let reported: { text: string; at: number } | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const waitedMs = clock.now().getTime() - started;
    const result = await look(waitedMs);
    if ('done' in result) return result.done;
    const now = clock.now().getTime();
    if (!reported || reported.text !== result.waiting || now - reported.at >= poll.progressEveryMs) {
      options.onProgress?.(`${result.waiting} (waited ${formatDuration(waitedMs)})`);
      reported = { text: result.waiting, at: now };
    }
    const left = options.deadline.getTime() - now;
    if (left <= 0) {
      throw new SlurmWaitError(
        `gave up waiting for ${options.awaited} after ${formatDuration(waitedMs)}: ${result.waiting}. ${options.onTimeout}`,
        options.node,
      );
    }
    await clock.sleep(Math.min(pause, left), options.signal);
    pause = Math.min(pause * 2, poll.maxMs);
  }
}

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
      node,
      awaited: `${node} to drain`,
      onTimeout: 'Extend DRAIN_TIMEOUT, or end those Slurm jobs (scancel), then retry.',
    },
    async (waitedMs) => {
      const status = await source.status(node);
      if (status.drain === 'drained') return { done: status };
      if (status.drain === 'none') {
        throw new SlurmWaitError(
          `${node} is no longer draining (state ${status.state}): someone resumed it while ` +
            `Pitstop waited, so the drain is abandoned. Drain it again to retry.`,
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
      node,
      awaited: `${node} to come back`,
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
