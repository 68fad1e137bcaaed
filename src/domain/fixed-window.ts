import type { MaintenanceEvent } from './event.js';

export interface FixedWindowWait {
  /** The drain starts here: the lead before OCI's window. */
  until: Date;
  windowStart: Date;
}

/**
 * An event whose window cannot move (`canReschedule` false) is maintained at OCI's own time:
 * draining it at approval would hold a healthy node out for days. Its drain waits until `leadMs`
 * before the window; it starts at once when that time has come, or when OCI gives no window
 * (draining early is the safe side).
 */
export function fixedWindowWait(
  event: Pick<MaintenanceEvent, 'canReschedule' | 'timeWindowStart'>,
  now: Date,
  leadMs: number,
): FixedWindowWait | undefined {
  if (event.canReschedule || !event.timeWindowStart) return undefined;
  const windowStart = new Date(event.timeWindowStart);
  const until = new Date(windowStart.getTime() - leadMs);
  return until > now ? { until, windowStart } : undefined;
}
