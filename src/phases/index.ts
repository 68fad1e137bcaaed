import { bookkeeping } from './bookkeeping.js';
import { drain } from './drain.js';
import { health } from './health.js';
import { maintenance } from './maintenance.js';
import type { PhaseHandler, WorkingPhase } from './phase.js';
import { schedule } from './schedule.js';
import { triage } from './triage.js';

export type { PhaseContext, PhaseHandler, PhasePorts, PhaseSettings, WorkingPhase } from './phase.js';

/** The handler that does each phase's work. */
export const PHASE_HANDLERS: Readonly<Record<WorkingPhase, PhaseHandler>> = {
  draining: drain,
  scheduling: schedule,
  maintenance,
  health,
  triage,
  bookkeeping,
};
