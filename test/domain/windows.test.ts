import { describe, expect, it } from 'vitest';
import { isOpen, nextOpening, parseWindows } from '../../src/domain/windows.js';

const at = (iso: string) => new Date(iso);
const OFFICE = parseWindows('Mon-Fri 08:00-18:00 America/Chicago; Sat 00:00-06:00 UTC');

describe('maintenance windows', () => {
  it('is open inside any window and closed outside every one (2026-11-30 is a Monday, CST = UTC-6)', () => {
    expect(isOpen(OFFICE, at('2026-11-30T13:59:00Z'))).toBe(false);
    expect(isOpen(OFFICE, at('2026-11-30T14:00:00Z'))).toBe(true);
    expect(isOpen(OFFICE, at('2026-11-30T23:59:00Z'))).toBe(true);
    expect(isOpen(OFFICE, at('2026-12-01T00:00:00Z'))).toBe(false);
    expect(isOpen(OFFICE, at('2026-12-05T05:59:00Z'))).toBe(true); // Saturday, the UTC window
    expect(isOpen(OFFICE, at('2026-12-05T06:00:00Z'))).toBe(false);
    expect(isOpen(OFFICE, at('2026-12-06T15:00:00Z'))).toBe(false); // Sunday
  });

  it('with no windows is always open', () => {
    expect(parseWindows('')).toEqual([]);
    expect(isOpen(parseWindows('  '), at('2026-12-06T15:00:00Z'))).toBe(true);
  });

  it('names the next opening of the several windows in its own zone', () => {
    expect(nextOpening(OFFICE, at('2026-11-28T07:00:00Z'))).toMatchObject({
      at: at('2026-11-30T14:00:00Z'),
      label: 'Mon 08:00 CST',
    });
    expect(nextOpening(OFFICE, at('2026-12-05T00:00:00Z'))?.at).toEqual(at('2026-12-07T14:00:00Z'));
    expect(nextOpening(OFFICE, at('2026-12-04T23:00:00Z'))).toMatchObject({
      at: at('2026-12-05T00:00:00Z'),
      label: 'Sat 00:00 UTC',
    });
  });

  it('keeps local hours across DST: CDT in summer, CST in winter', () => {
    const summer = nextOpening(OFFICE, at('2026-07-04T12:00:00Z'));
    expect(summer).toMatchObject({ at: at('2026-07-06T13:00:00Z'), label: 'Mon 08:00 CDT' });
    // The Monday after the spring change (2026-03-08) opens an hour earlier in UTC than the one before.
    expect(nextOpening(OFFICE, at('2026-03-02T12:00:00Z'))?.at).toEqual(at('2026-03-02T14:00:00Z'));
    expect(nextOpening(OFFICE, at('2026-03-09T12:00:00Z'))?.at).toEqual(at('2026-03-09T13:00:00Z'));
  });

  it('opens at the jump when its start lies in the spring DST gap, and at the first 01:30 on the fall-back day', () => {
    const gap = parseWindows('Sun 02:30-04:00 America/Chicago');
    expect(nextOpening(gap, at('2026-03-07T00:00:00Z'))).toMatchObject({
      at: at('2026-03-08T08:00:00Z'),
      label: 'Sun 03:00 CDT',
    });
    expect(isOpen(gap, at('2026-03-08T07:59:00Z'))).toBe(false);
    expect(isOpen(gap, at('2026-03-08T08:00:00Z'))).toBe(true);
    const twice = parseWindows('Sun 01:30-03:00 America/Chicago');
    expect(nextOpening(twice, at('2026-10-31T00:00:00Z'))).toMatchObject({
      at: at('2026-11-01T06:30:00Z'),
      label: 'Sun 01:30 CDT',
    });
  });

  it('crosses midnight: open the evening of the listed day and the morning after, not the morning of it', () => {
    const night = parseWindows('Fri 22:00-02:00 Europe/Berlin');
    expect(isOpen(night, at('2026-12-04T00:30:00Z'))).toBe(false); // Friday 01:30 Berlin
    expect(isOpen(night, at('2026-12-04T21:00:00Z'))).toBe(true); // Friday 22:00
    expect(isOpen(night, at('2026-12-05T00:59:00Z'))).toBe(true); // Saturday 01:59
    expect(isOpen(night, at('2026-12-05T01:00:00Z'))).toBe(false); // Saturday 02:00
    expect(nextOpening(night, at('2026-12-05T01:00:00Z'))?.at).toEqual(at('2026-12-11T21:00:00Z'));
  });

  it('takes day lists, ranges that wrap over the weekend, and 24:00 as the end of the day', () => {
    const [weekend] = parseWindows('Fri-Mon,Wed 00:00-24:00 UTC');
    expect([...weekend!.days].sort()).toEqual([0, 1, 3, 5, 6]);
    expect(isOpen([weekend!], at('2026-12-02T23:59:00Z'))).toBe(true); // Wednesday
    expect(isOpen([weekend!], at('2026-12-03T12:00:00Z'))).toBe(false); // Thursday
  });

  it.each([
    ['Mon 08:00-18:00 Mars/Base', 'unknown time zone "Mars/Base"'],
    ['Funday 08:00-18:00 UTC', '"Funday" is not a day'],
    ['Mon 8-18 UTC', 'expected DAYS HH:MM-HH:MM ZONE'],
    ['Mon-Fri 08:00-18:00', 'expected DAYS HH:MM-HH:MM ZONE'],
    ['Mon 08:00-08:00 UTC', 'starts and ends at the same time'],
    ['Mon 24:00-02:00 UTC', '24:00 is not a time of day'],
    ['Mon 08:61-09:00 UTC', '08:61 is not a time of day'],
    ['Mon-Tue-Wed 08:00-09:00 UTC', 'bad day range "Mon-Tue-Wed"'],
  ])('refuses %s, naming what is wrong', (text, message) => {
    expect(() => parseWindows(text)).toThrow(message);
  });
});
