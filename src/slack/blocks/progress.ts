import type { MaintenanceJob, Phase } from '../../domain/job.js';

/**
 * The progress bar's steps: the six working phases and `done`, so a job in phase P shows the
 * steps up to and including P filled (`draining` 1/7 … `bookkeeping` 6/7, `done` 7/7). A phase
 * names the work in hand, so the filled square for P means "working on P", not "P finished".
 * A job awaiting approval has no bar; a failed one shows where it stopped.
 */
const STEPS = ['draining', 'scheduling', 'maintenance', 'health', 'triage', 'bookkeeping', 'done'] as const;
type Step = (typeof STEPS)[number];

const LABELS: Record<Step, string> = {
  draining: 'draining',
  scheduling: 'scheduling',
  maintenance: 'maintenance',
  health: 'health checks',
  triage: 'triage',
  bookkeeping: 'bookkeeping',
  done: 'done',
};

const isStep = (phase: Phase): phase is Step => (STEPS as readonly string[]).includes(phase);

const bar = (step: Step, label: string) => {
  const reached = STEPS.indexOf(step) + 1;
  return `${'■'.repeat(reached)}${'□'.repeat(STEPS.length - reached)} ${reached}/${STEPS.length} ${label}`;
};

/** `■■□□□□□ 2/7 scheduling`, or undefined when the job never started working. */
export function progressLine(job: Pick<MaintenanceJob, 'phase' | 'outcome' | 'history'>): string | undefined {
  if (job.phase === 'done' && job.outcome === 'failed') {
    const stoppedIn = job.history.at(-1)?.from;
    return stoppedIn && isStep(stoppedIn) ? bar(stoppedIn, `stopped in ${LABELS[stoppedIn]}`) : undefined;
  }
  if (job.phase === 'done' && job.outcome !== 'returned' && job.outcome !== 'kept_out') return undefined;
  return isStep(job.phase) ? bar(job.phase, LABELS[job.phase]) : undefined;
}
