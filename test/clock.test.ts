import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';

describe('systemClock', () => {
  it('sleeps past the ~24.8 days a Node timer can hold, instead of waking at once', async () => {
    // A fixed maintenance window weeks away is slept for in one go (FIXED_WINDOW_DRAIN_LEAD).
    const controller = new AbortController();
    let woke = false;
    const sleeping = systemClock.sleep(2 ** 31 + 60_000, controller.signal).then(() => {
      woke = true;
    });
    await delay(100); // an overflowing timer fires after 1 ms
    controller.abort(new Error('test over'));
    await expect(sleeping).rejects.toThrow('test over');
    expect(woke).toBe(false);
  });

  it('still yields once for a sleep of nothing, and stops at the abort', async () => {
    await systemClock.sleep(0);
    await expect(systemClock.sleep(10, AbortSignal.abort(new Error('stopped')))).rejects.toThrow('stopped');
  });
});
