import type { Clock, WaitOptions } from './ports.js';

export interface PollSettings {
  /** First pause between two looks; it doubles up to `maxMs`. */
  initialMs: number;
  maxMs: number;
  /** An unchanged situation is reported again after this long (a changed one at once). */
  progressEveryMs: number;
}

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

export type Look<T> = { done: T } | { waiting: string };

/**
 * Errors say whether waiting can heal them: the adapter that threw knows (a 503 or a
 * slurmctld that does not answer can heal, a 401 or an unknown node cannot). An error that
 * does not say is taken as one that cannot: the job stops and a human is told.
 */
export interface MayHeal {
  readonly transient: boolean;
}

export const isTransient = (error: unknown): boolean =>
  error instanceof Error && (error as Partial<MayHeal>).transient === true;

/** A wait that reached its deadline; the message says what was awaited, the last situation, what to do. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Looks until `look` says done, pausing with back-off on the injected clock, reporting
 * progress, and failing with the last situation once the deadline passes. A look that fails
 * with an error that can heal (an OCI 503, slurmctld not answering) does not end the wait:
 * the first of a run of them is reported, the wait goes on with back-off, and the recovery is
 * reported once. Any other error ends the wait at once.
 */
export async function pollUntil<T>(
  clock: Clock,
  poll: PollSettings,
  options: WaitOptions & {
    awaited: string;
    /** Who answers the looks, for the reports of errors and recovery: "OCI", "Slurm". */
    source: string;
    onTimeout: string;
    /** The error to give up with (e.g. one that names the node); a WaitTimeoutError otherwise. */
    giveUp?: (message: string) => Error;
  },
  look: (waitedMs: number) => Promise<Look<T>>,
): Promise<T> {
  const started = clock.now().getTime();
  const say = options.onProgress ?? (() => {});
  let pause = poll.initialMs;
  let reported: { text: string; at: number } | undefined;
  let failing = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const waitedMs = clock.now().getTime() - started;
    let situation: string;
    try {
      const result = await look(waitedMs);
      if (failing > 0) {
        say(
          `${options.source} answers again after ${plural(failing, 'error')} (waiting for ${options.awaited})`,
        );
        failing = 0;
      }
      if ('done' in result) return result.done;
      situation = result.waiting;
      const now = clock.now().getTime();
      if (!reported || reported.text !== situation || now - reported.at >= poll.progressEveryMs) {
        say(`${situation} (waited ${formatDuration(waitedMs)})`);
        reported = { text: situation, at: now };
      }
    } catch (error) {
      if (options.signal?.aborted || !isTransient(error)) throw error;
      const message = (error as Error).message.replace(/\.?\s*$/, '');
      failing += 1;
      if (failing === 1) {
        say(
          `${options.source} failed while Pitstop waits for ${options.awaited}: ${message}. ` +
            `The wait goes on until ${options.deadline.toISOString()}, asking again with back-off.`,
        );
      }
      situation = `the last ${plural(failing, 'look')} failed, the last with: ${message}`;
    }
    const left = options.deadline.getTime() - clock.now().getTime();
    if (left <= 0) {
      const message = `gave up waiting for ${options.awaited} after ${formatDuration(waitedMs)}: ${situation}. ${options.onTimeout}`;
      throw options.giveUp?.(message) ?? new WaitTimeoutError(message);
    }
    await clock.sleep(Math.min(pause, left), options.signal);
    pause = Math.min(pause * 2, poll.maxMs);
  }
}
