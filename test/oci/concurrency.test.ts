import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../src/oci/concurrency.js';

describe('mapConcurrently', () => {
  it('never runs more than the limit at once, uses all of it, and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrently(
      Array.from({ length: 30 }, (_, i) => i),
      4,
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
        running--;
        return n * 2;
      },
    );
    expect(peak).toBe(4);
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i * 2));
  });

  it('handles no items and fails with the first error', async () => {
    expect(await mapConcurrently([], 8, async () => 1)).toEqual([]);
    await expect(
      mapConcurrently([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ).rejects.toThrow('two');
  });
});
