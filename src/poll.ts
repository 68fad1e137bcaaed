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

/** A wait that reached its deadline; the message says what was awaited, the last situation, what to do. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Looks until `look` says done, pausing with back-off on the injected clock, reporting
 * progress, and failing with the last situation once the deadline passes.
 */
export async function pollUntil<T>(
  clock: Clock,
  poll: PollSettings,
  options: WaitOptions & {
    awaited: string;
    onTimeout: string;
    /** The error to give up with (e.g. one that names the node); a WaitTimeoutError otherwise. */
    giveUp?: (message: string) => Error;
  },
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
      const message = `gave up waiting for ${options.awaited} after ${formatDuration(waitedMs)}: ${result.waiting}. ${options.onTimeout}`;
      throw options.giveUp?.(message) ?? new WaitTimeoutError(message);
    }
    await clock.sleep(Math.min(pause, left), options.signal);
    pause = Math.min(pause * 2, poll.maxMs);
  }
}
