/**
 * MAINTENANCE_WINDOWS: when new drains may start, e.g.
 * `Mon-Fri 08:00-18:00 America/Chicago; Sat 00:00-06:00 UTC`. Days are names, ranges (`Fri-Mon`
 * wraps) and lists; a window whose end is not after its start crosses midnight and belongs to the
 * day it starts. Wall-clock times are read in the window's IANA zone through Intl, so a window keeps
 * its local hours across DST changes. Pure: every function takes `now`.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export interface MaintenanceWindow {
  /** As written, for messages. */
  text: string;
  /** Weekdays (0 = Sunday) on which the window starts. */
  days: ReadonlySet<number>;
  /** Minutes after local midnight. */
  start: number;
  /** Minutes after local midnight; not after `start`: the window ends the next day. */
  end: number;
  zone: string;
}

export class WindowSyntaxError extends Error {
  override readonly name = 'WindowSyntaxError';
}

const WINDOW = /^(\S+)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s+(\S+)$/;

function dayIndex(name: string, window: string): number {
  const index = DAYS.findIndex((day) => day.toLowerCase() === name.toLowerCase());
  if (index < 0) {
    throw new WindowSyntaxError(`"${window}": "${name}" is not a day (use ${DAYS.join(', ')})`);
  }
  return index;
}

function parseDays(spec: string, window: string): Set<number> {
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [from, to, extra] = part.split('-');
    if (extra !== undefined || !from) throw new WindowSyntaxError(`"${window}": bad day range "${part}"`);
    const first = dayIndex(from, window);
    const last = to === undefined ? first : dayIndex(to, window);
    // Fri-Mon wraps over the weekend.
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return days;
}

function minutes(hours: string, mins: string, window: string, allowEndOfDay: boolean): number {
  const value = Number(hours) * 60 + Number(mins);
  const max = allowEndOfDay ? MINUTES_PER_DAY : MINUTES_PER_DAY - 1;
  if (Number(mins) > 59 || value > max) {
    throw new WindowSyntaxError(`"${window}": ${hours}:${mins} is not a time of day (00:00 to 23:59)`);
  }
  return value;
}

function checkZone(zone: string, window: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new WindowSyntaxError(
      `"${window}": unknown time zone "${zone}" (use an IANA name such as America/Chicago, or UTC)`,
    );
  }
}

/** The windows of a MAINTENANCE_WINDOWS value; empty text: none (always open). */
export function parseWindows(text: string): MaintenanceWindow[] {
  return text
    .split(';')
    .map((part) => part.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .map((window) => {
      const match = WINDOW.exec(window);
      if (!match) {
        throw new WindowSyntaxError(
          `"${window}": expected DAYS HH:MM-HH:MM ZONE, such as "Mon-Fri 08:00-18:00 America/Chicago"`,
        );
      }
      const [, days, sh, sm, eh, em, zone] = match as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const start = minutes(sh, sm, window, false);
      const end = minutes(eh, em, window, true);
      if (start === end) {
        throw new WindowSyntaxError(
          `"${window}": starts and ends at the same time (for all day use 00:00-24:00)`,
        );
      }
      checkZone(zone, window);
      return { text: window, days: parseDays(days, window), start, end, zone };
    });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

interface WallClock {
  weekday: number;
  /** Local midnight of this day as if the zone were UTC (for day arithmetic). */
  dayUtc: number;
  minute: number;
  /** Local time minus UTC, in ms, at this instant. */
  offsetMs: number;
}

function wallClock(at: Date, zone: string): WallClock {
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(
    (k) => Number(parts[k]),
  ) as [number, number, number, number, number, number];
  const dayUtc = Date.UTC(year, month - 1, day);
  const localAsUtc = dayUtc + (hour * 60 + minute) * MS_PER_MINUTE + second * 1000;
  return {
    weekday: DAYS.indexOf(parts.weekday as (typeof DAYS)[number]),
    dayUtc,
    minute: hour * 60 + minute,
    offsetMs: localAsUtc - (at.getTime() - at.getUTCMilliseconds()),
  };
}

function openIn(window: MaintenanceWindow, at: Date): boolean {
  const { weekday, minute } = wallClock(at, window.zone);
  if (window.end > window.start) {
    return window.days.has(weekday) && minute >= window.start && minute < window.end;
  }
  // Crosses midnight: the evening of a listed day, or the morning after one.
  return (
    (window.days.has(weekday) && minute >= window.start) ||
    (window.days.has((weekday + 6) % 7) && minute < window.end)
  );
}

/** The first instant whose local time in `zone` is at least `minute` on the local day `dayUtc`. */
function instantOf(dayUtc: number, minute: number, zone: string): number {
  const asUtc = dayUtc + minute * MS_PER_MINUTE;
  // The zone's offsets a day either side; one DST change at most lies between them.
  const offsets = new Set([
    wallClock(new Date(asUtc - MS_PER_DAY), zone).offsetMs,
    wallClock(new Date(asUtc + MS_PER_DAY), zone).offsetMs,
  ]);
  const candidates = [...offsets].map((offset) => asUtc - offset);
  const exact = candidates.filter((t) => wallClock(new Date(t), zone).offsetMs === asUtc - t);
  if (exact.length > 0) return Math.min(...exact);
  // The time does not exist that day (clocks jumped over it): the window opens at the jump.
  let [before, after] = [Math.min(...candidates), Math.max(...candidates)];
  while (after - before > MS_PER_MINUTE) {
    const middle = before + Math.floor((after - before) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
    if (wallClock(new Date(middle), zone).offsetMs === wallClock(new Date(before), zone).offsetMs)
      before = middle;
    else after = middle;
  }
  return after;
}

/** True when `now` falls in any window; no windows: always. */
export function isOpen(windows: readonly MaintenanceWindow[], now: Date): boolean {
  return windows.length === 0 || windows.some((window) => openIn(window, now));
}

export interface Opening {
  at: Date;
  window: MaintenanceWindow;
  /** The opening in the window's own zone, e.g. `Mon 08:00 CDT`. */
  label: string;
}

/** Looked at this far ahead: every weekly window opens within it, whatever DST does. */
const LOOK_AHEAD_DAYS = 8;

/**
 * The next time a window opens after `now` (undefined when none opens within eight days: a window
 * that lies wholly in a DST gap). Callers ask only while every window is closed.
 */
export function nextOpening(windows: readonly MaintenanceWindow[], now: Date): Opening | undefined {
  let best: { at: number; window: MaintenanceWindow } | undefined;
  for (const window of windows) {
    const today = wallClock(now, window.zone).dayUtc;
    for (let k = -1; k <= LOOK_AHEAD_DAYS; k++) {
      const dayUtc = today + k * MS_PER_DAY;
      if (!window.days.has(new Date(dayUtc).getUTCDay())) continue;
      const at = instantOf(dayUtc, window.start, window.zone);
      if (at <= now.getTime() || (best && at >= best.at) || !openIn(window, new Date(at))) continue;
      best = { at, window };
    }
  }
  if (!best) return undefined;
  const at = new Date(best.at);
  return { at, window: best.window, label: localLabel(at, best.window.zone) };
}

/** `Mon 08:00 CDT`: the weekday, time and zone abbreviation in `zone`. */
export function localLabel(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}
