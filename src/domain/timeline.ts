import type { Phase } from './job.js';

/** When a job entered and left one phase (`end` absent: it is still there, or it ended there). */
export interface PhaseSpan {
  phase: Phase;
  start: string;
  end?: string;
}

/** A transition as the job's history and the audit log's transition records both carry it. */
export interface Step {
  at: string;
  from: Phase;
  to: Phase;
}

/**
 * The phases a job went through, in order, with their times: the first phase starts at
 * `createdAt`, each transition ends one phase and starts the next. A step that stays in its phase
 * (a ticket recorded in bookkeeping) changes nothing. `done` is not a phase one spends time in.
 */
export function phaseSpans(createdAt: string, history: readonly Step[]): PhaseSpan[] {
  const first = history[0]?.from ?? 'awaiting_approval';
  const spans: PhaseSpan[] = [{ phase: first, start: createdAt }];
  for (const step of history) {
    if (step.to === step.from) continue;
    spans.at(-1)!.end = step.at;
    if (step.to !== 'done') spans.push({ phase: step.to, start: step.at });
  }
  return spans;
}
