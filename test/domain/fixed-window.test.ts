import { describe, expect, it } from 'vitest';
import { fixedWindowWait } from '../../src/domain/fixed-window.js';

const NOW = new Date('2026-11-25T18:00:00.000Z');
const HOUR = 3_600_000;
const window = (inHours: number) => new Date(NOW.getTime() + inHours * HOUR).toISOString();

describe('fixedWindowWait', () => {
  it('holds the drain of a fixed window until the lead before it', () => {
    expect(fixedWindowWait({ canReschedule: false, timeWindowStart: window(24) }, NOW, 2 * HOUR)).toEqual({
      until: new Date('2026-11-26T16:00:00.000Z'),
      windowStart: new Date('2026-11-26T18:00:00.000Z'),
    });
  });

  it('drains at once inside the lead, at its first moment, and after the window began', () => {
    expect(
      fixedWindowWait({ canReschedule: false, timeWindowStart: window(1) }, NOW, 2 * HOUR),
    ).toBeUndefined();
    expect(
      fixedWindowWait({ canReschedule: false, timeWindowStart: window(2) }, NOW, 2 * HOUR),
    ).toBeUndefined();
    expect(
      fixedWindowWait({ canReschedule: false, timeWindowStart: window(-1) }, NOW, 2 * HOUR),
    ).toBeUndefined();
  });

  it('never holds a window Pitstop moves itself, nor one OCI does not give', () => {
    expect(
      fixedWindowWait({ canReschedule: true, timeWindowStart: window(24) }, NOW, 2 * HOUR),
    ).toBeUndefined();
    expect(fixedWindowWait({ canReschedule: false }, NOW, 2 * HOUR)).toBeUndefined();
  });
});
