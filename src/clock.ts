import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './ports.js';

/** Node fires a timer longer than this (~24.8 days) at once: a longer sleep is taken in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => new Date(),
  async sleep(ms, signal) {
    let left = ms;
    try {
      do {
        const step = Math.min(Math.max(left, 0), LONGEST_TIMER_MS);
        await delay(step, undefined, signal ? { signal } : undefined);
        left -= step;
      } while (left > 0);
    } catch (error) {
      // As the port says (and ManualClock does): the signal's reason, not Node's AbortError.
      throw signal?.aborted ? signal.reason : error;
    }
  },
};
