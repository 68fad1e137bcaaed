import { pollUntil } from '../poll.js';
import type { ProgressReporter } from '../ports.js';
import type { PhaseContext } from './phase.js';

/** An unchanged OCI state is said again in the thread this often; a change is said at once. */
const PROGRESS_EVERY_MS = 30 * 60_000;

/**
 * Polls OCI with the pipeline's back-off (POLL_INITIAL doubling to POLL_MAX) on the injected
 * clock until `look` says done, and gives up at `deadline` with the last state seen. The loop
 * is the one Slurm's waits use (`pollUntil`), so both kinds of wait behave and report alike.
 */
export function waitForOci<T>(
  context: PhaseContext,
  wait: { node: string; awaited: string; onTimeout: string; deadline: Date; progress: ProgressReporter },
  look: () => Promise<{ done: T } | { waiting: string }>,
): Promise<T> {
  const { settings } = context;
  return pollUntil(
    context.ports.clock,
    { initialMs: settings.pollInitialMs, maxMs: settings.pollMaxMs, progressEveryMs: PROGRESS_EVERY_MS },
    {
      awaited: wait.awaited,
      source: 'OCI',
      onTimeout: wait.onTimeout,
      deadline: wait.deadline,
      onProgress: wait.progress,
      signal: context.signal,
    },
    look,
  );
}
