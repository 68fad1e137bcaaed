import type { Clock } from '../ports.js';

/**
 * A clock that moves only when told, for tests and fast demos of hours-long waits: `sleep`
 * resolves when `advance` passes its wake-up time. With `autoAdvance`, a sleep that nothing
 * else is waiting on jumps the clock forward at once.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { wake: number; resolve: () => void }[] = [];

  constructor(
    start: Date | string = '2026-01-01T00:00:00Z',
    private readonly autoAdvance = false,
  ) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      // The listener goes with the sleep, so a long-lived signal does not collect one per sleep.
      const sleeper = {
        wake: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.autoAdvance) queueMicrotask(() => this.advanceTo(sleeper.wake));
    });
  }

  /** Moves time forward by `ms`, waking every sleeper whose time has come, in order. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  private advanceTo(time: number): void {
    if (time < this.current) return;
    this.current = time;
    const due = this.sleepers.filter((s) => s.wake <= time).sort((a, b) => a.wake - b.wake);
    this.sleepers = this.sleepers.filter((s) => s.wake > time);
    for (const sleeper of due) sleeper.resolve();
  }
}
