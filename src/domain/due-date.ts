import { z } from 'zod';
import type { MaintenanceEvent } from './event.js';

/**
 * What a human chose when the drain still waited on Slurm jobs near the event's hard due date:
 * `proceed` stops waiting and schedules the maintenance now (OCI's maintenance ends the Slurm jobs
 * still running); `leave_to_oci` stops waiting and leaves the window as OCI has it.
 */
export const DueChoice = z.enum(['proceed', 'leave_to_oci']);
export type DueChoice = z.infer<typeof DueChoice>;

export const DUE_CHOICE_WORDS: Readonly<Record<DueChoice, string>> = {
  proceed: 'proceed now',
  leave_to_oci: 'let OCI act at its own time',
};

/** Who "decides" when the hard due date comes with no decision: the job is left to OCI. */
export const DUE_DATE = 'DUE_DATE';

export interface DueTimes {
  /** OCI acts on its own by then. */
  due: Date;
  /** From here on a drain still waiting on Slurm jobs asks a human (DUE_WARNING before `due`). */
  warnAt: Date;
}

/** The event's hard due date and when to warn of it; none when OCI gave no (readable) due date. */
export function dueTimes(
  event: Pick<MaintenanceEvent, 'timeHardDueDate'>,
  warningMs: number,
): DueTimes | undefined {
  if (!event.timeHardDueDate) return undefined;
  const due = new Date(event.timeHardDueDate);
  if (Number.isNaN(due.getTime())) return undefined;
  return { due, warnAt: new Date(due.getTime() - warningMs) };
}
