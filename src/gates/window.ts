import type { MaintenanceEvent } from '../domain/event.js';
import { isOpen, type MaintenanceWindow, nextOpening, type Opening } from '../domain/windows.js';

export type WindowDecision =
  /** `note`: why it starts although every window is closed (said in the thread). */
  | { start: true; note?: string }
  /** `opening` undefined: no window opens within eight days; looked at again at every sweep. */
  | { start: false; opening?: Opening; message: string };

/**
 * Whether a drain may start now under MAINTENANCE_WINDOWS. Outside every window it waits for the
 * next opening, except when OCI would act by itself first: at the hard due date, or at a fixed
 * window (`canReschedule` false, which the fixed-window wait already brought to its lead). Not
 * draining then would let OCI reboot a busy node, so the drain starts and the thread says why.
 */
export function windowDecision(
  event: Pick<MaintenanceEvent, 'canReschedule' | 'timeWindowStart' | 'timeHardDueDate'>,
  windows: readonly MaintenanceWindow[],
  now: Date,
): WindowDecision {
  if (isOpen(windows, now)) return { start: true };
  const outside = 'outside MAINTENANCE_WINDOWS';
  if (!event.canReschedule && event.timeWindowStart) {
    return {
      start: true,
      note: `starts ${outside}: OCI maintains this instance at its own fixed window ${event.timeWindowStart} whatever Pitstop does, and the node should be drained by then rather than rebooted under its Slurm jobs`,
    };
  }
  const opening = nextOpening(windows, now);
  const due = event.timeHardDueDate ? new Date(event.timeHardDueDate) : undefined;
  if (due && (!opening || due <= opening.at)) {
    return {
      start: true,
      note: `starts ${outside}: its hard due date ${due.toISOString()} comes before the next window${opening ? ` (${opening.label})` : ''}, and OCI maintains the instance by itself then`,
    };
  }
  if (!opening) {
    return {
      start: false,
      message: `waits: no maintenance window opens in the next 8 days (MAINTENANCE_WINDOWS); looked at again at every sweep`,
    };
  }
  return { start: false, opening, message: `waits for the window ${opening.label}` };
}
