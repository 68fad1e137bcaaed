import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  type JobAction,
  type MaintenanceJob,
  newJob,
  type Phase,
  retryTokenFor,
  transition,
} from '../../src/domain/job.js';
import { decideVerdict } from '../../src/domain/verdict.js';
import { sampleEvent } from '../support/events.js';

const now = new Date('2026-12-01T09:00:00Z');
const pass = decideVerdict([{ check: 'gpu-count', status: 'pass', detail: '8 of 8', action: 'none' }]);
const fail = decideVerdict([{ check: 'ecc', status: 'fail', detail: 'DBE 2', action: 'terminate' }]);

const actions: Record<JobAction['type'], JobAction> = {
  approve: { type: 'approve', by: 'U123', via: 'slack' },
  deny: { type: 'deny', by: 'U123', via: 'slack', reason: 'training run until Friday' },
  drained: { type: 'drained', drainedBy: 'pitstop' },
  due_warned: {
    type: 'due_warned',
    slurmJobs: [
      { id: '42', user: 'alice', name: 'llm', state: 'RUNNING', elapsed: '1:00', timeLimit: '2-00:00:00' },
    ],
  },
  due_decided: { type: 'due_decided', choice: 'proceed', by: 'U123', via: 'slack' },
  drain_cut_short: { type: 'drain_cut_short', dueDateReached: true },
  scheduled: { type: 'scheduled', windowStart: '2026-12-01T09:05:00Z', workRequestId: 'ocid1.wr.1' },
  maintenance_ended: { type: 'maintenance_ended', state: 'SUCCEEDED' },
  health_checked: { type: 'health_checked', verdict: pass },
  triaged: { type: 'triaged', result: 'resumed', reason: 'health PASS' },
  ticket: { type: 'ticket', ticket: { opened: true, id: 'OPS-1' } },
  recorded: { type: 'recorded' },
  cancel: { type: 'cancel', reason: 'OCI canceled the event' },
  fail: { type: 'fail', reason: 'drain timed out after 6h on gpu-1' },
};

const happyPath: JobAction['type'][] = [
  'approve',
  'drained',
  'scheduled',
  'maintenance_ended',
  'health_checked',
  'triaged',
  'recorded',
];

function jobIn(phase: Phase): MaintenanceJob {
  let job = newJob(sampleEvent(), now, 'gpu-1');
  for (const type of happyPath) {
    if (job.phase === phase) return job;
    job = transition(job, actions[type], now);
  }
  if (job.phase !== phase) throw new Error(`no path to ${phase}`);
  return job;
}

/** Which actions each phase accepts, and where they lead (with the sample actions above). */
const legal: Record<Phase, Partial<Record<JobAction['type'], Phase>>> = {
  awaiting_approval: { approve: 'draining', deny: 'done', cancel: 'done', fail: 'done' },
  draining: {
    drained: 'scheduling',
    due_warned: 'draining',
    due_decided: 'draining',
    drain_cut_short: 'scheduling',
    fail: 'done',
  },
  scheduling: { scheduled: 'maintenance', fail: 'done' },
  maintenance: { maintenance_ended: 'health', fail: 'done' },
  health: { health_checked: 'triage', fail: 'done' },
  triage: { triaged: 'bookkeeping', fail: 'done' },
  bookkeeping: { ticket: 'bookkeeping', recorded: 'done', fail: 'done' },
  done: {},
};

describe('transition', () => {
  for (const [phase, allowed] of Object.entries(legal) as [
    Phase,
    Partial<Record<JobAction['type'], Phase>>,
  ][]) {
    for (const action of Object.values(actions)) {
      const target = allowed[action.type];
      if (target) {
        it(`${phase} --${action.type}--> ${target}`, () => {
          const next = transition(jobIn(phase), action, now);
          expect(next.phase).toBe(target);
        });
      } else {
        it(`${phase} rejects ${action.type}`, () => {
          const job = jobIn(phase);
          const attempt = () => transition(job, action, now);
          expect(attempt).toThrow(IllegalTransitionError);
          expect(attempt).toThrow(new RegExp(`cannot ${action.type} in phase ${phase}`));
        });
      }
    }
  }

  it('records who approved, and the history, without touching the input', () => {
    const job = jobIn('awaiting_approval');
    const next = transition(job, actions.approve, now);
    expect(job.phase).toBe('awaiting_approval');
    expect(job.history).toEqual([]);
    expect(next.approval).toEqual({ by: 'U123', via: 'slack', at: now.toISOString(), decision: 'approved' });
    expect(next.version).toBe(job.version + 1);
    expect(next.history).toEqual([
      { at: now.toISOString(), from: 'awaiting_approval', to: 'draining', action: 'approve' },
    ]);
  });

  it('cannot approve an event that is not mapped to a node yet', () => {
    const job = newJob(sampleEvent(), now);
    expect(() => transition(job, actions.approve, now)).toThrow(/not mapped to a Slurm node/);
  });

  it('a denial ends the job with the reason', () => {
    const done = transition(jobIn('awaiting_approval'), actions.deny, now);
    expect(done).toMatchObject({ outcome: 'denied', reason: 'denied by U123: training run until Friday' });
  });

  it('never resumes a node after a FAIL verdict', () => {
    const triage = transition(jobIn('health'), { type: 'health_checked', verdict: fail }, now);
    expect(() => transition(triage, actions.triaged, now)).toThrow(/only resumed after a PASS verdict/);
    const kept = transition(
      triage,
      { type: 'triaged', result: 'kept_out', reason: fail.reasons.join('; ') },
      now,
    );
    expect(transition(kept, actions.recorded, now)).toMatchObject({ phase: 'done', outcome: 'kept_out' });
  });

  it('records a ticket once, in bookkeeping, and keeps it to the end', () => {
    const ticketed = transition(jobIn('bookkeeping'), actions.ticket, now);
    expect(ticketed).toMatchObject({ phase: 'bookkeeping', ticket: { opened: true, id: 'OPS-1' } });
    expect(ticketed.history.at(-1)).toMatchObject({
      from: 'bookkeeping',
      to: 'bookkeeping',
      action: 'ticket',
    });
    expect(() => transition(ticketed, actions.ticket, now)).toThrow(/already records its ticket/);
    expect(transition(ticketed, actions.recorded, now).ticket).toEqual({ opened: true, id: 'OPS-1' });
  });

  it('never resumes a node someone else drained, even after PASS', () => {
    let job = transition(jobIn('draining'), { type: 'drained', drainedBy: 'other' }, now);
    for (const type of ['scheduled', 'maintenance_ended', 'health_checked'] as const) {
      job = transition(job, actions[type], now);
    }
    expect(job.verdict?.status).toBe('PASS');
    expect(() => transition(job, actions.triaged, now)).toThrow(/only resumed by us if we drained it/);
  });

  it('sends a FAILED maintenance straight to triage and a CANCELED one through health', () => {
    const failed = transition(jobIn('maintenance'), { type: 'maintenance_ended', state: 'FAILED' }, now);
    expect(failed).toMatchObject({ phase: 'triage', maintenanceState: 'FAILED' });
    expect(() => transition(failed, actions.triaged, now)).toThrow(/PASS verdict/);
    const canceled = transition(jobIn('maintenance'), { type: 'maintenance_ended', state: 'CANCELED' }, now);
    expect(canceled.phase).toBe('health');
  });

  it('ends a resumed job as returned', () => {
    expect(jobIn('done')).toMatchObject({ outcome: 'returned', triage: 'resumed' });
  });
});

describe('retryTokenFor', () => {
  it('is stable for a job and differs between jobs', () => {
    const a = newJob(sampleEvent(), now);
    const b = newJob(sampleEvent({ id: 'ocid1.instancemaintenanceevent.oc1.iad.other' }), now);
    expect(retryTokenFor(a)).toBe(retryTokenFor({ ...a }));
    expect(retryTokenFor(a)).not.toBe(retryTokenFor(b));
    expect(retryTokenFor(a).length).toBeLessThanOrEqual(64);
  });
});

describe('the hard due date', () => {
  const draining = () => jobIn('draining');
  const decisionNow = (choice: string, by: string, via: string) => ({
    choice,
    by,
    via,
    at: now.toISOString(),
  });

  it('is warned of once, naming the Slurm jobs still running', () => {
    const warned = transition(draining(), actions.due_warned, now);
    expect(warned).toMatchObject({ phase: 'draining', dueWarning: { at: now.toISOString() } });
    expect(warned.dueWarning?.slurmJobs.map((j) => j.id)).toEqual(['42']);
    expect(() => transition(warned, actions.due_warned, now)).toThrow(/already warned/);
  });

  it('takes one decision while the drain waits, and says a second one was decided already', () => {
    const decided = transition(draining(), actions.due_decided, now);
    expect(decided.dueDecision).toEqual(decisionNow('proceed', 'U123', 'slack'));
    expect(() =>
      transition(decided, { type: 'due_decided', choice: 'leave_to_oci', by: 'U9', via: 'cli' }, now),
    ).toThrow(/already decided: U123 chose to proceed now/);
  });

  it('refuses a decision before approval and after the drain, saying it is not needed any more', () => {
    expect(() => transition(jobIn('awaiting_approval'), actions.due_decided, now)).toThrow(
      /not approved yet/,
    );
    expect(() => transition(jobIn('scheduling'), actions.due_decided, now)).toThrow(
      /not needed any more: the drain is over \(the job is in scheduling\)/,
    );
  });

  it("cuts the drain short by the human's decision, the node ours to resume", () => {
    const decided = transition(
      draining(),
      { type: 'due_decided', choice: 'leave_to_oci', by: 'U123', via: 'slack' },
      now,
    );
    const cut = transition(decided, { type: 'drain_cut_short', dueDateReached: false }, now);
    expect(cut).toMatchObject({ phase: 'scheduling', drainedBy: 'pitstop' });
    expect(cut.dueDecision).toMatchObject({ choice: 'leave_to_oci', by: 'U123' });
    expect(cut.reason).toBe(
      'node drained with Slurm jobs still running: U123 chose to let OCI act at its own time',
    );
  });

  it('leaves the job to OCI when the due date came with no decision, and keeps a decision taken as it came', () => {
    const left = transition(draining(), actions.drain_cut_short, now);
    expect(left.dueDecision).toEqual(decisionNow('leave_to_oci', 'DUE_DATE', 'policy'));
    const decided = transition(draining(), actions.due_decided, now);
    expect(transition(decided, actions.drain_cut_short, now).dueDecision?.choice).toBe('proceed');
  });

  it('never cuts a drain short without a decision or the due date', () => {
    expect(() => transition(draining(), { type: 'drain_cut_short', dueDateReached: false }, now)).toThrow(
      /only cut short by a decision/,
    );
  });
});
