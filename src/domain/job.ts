import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DUE_CHOICE_WORDS, DUE_DATE, DueChoice } from './due-date.js';
import { EventState, MaintenanceEvent } from './event.js';
import { SlurmJob } from './node.js';
import { Verdict } from './verdict.js';

/**
 * A MaintenanceJob walks these phases in order; `done` is terminal and carries an `outcome`.
 * A phase names the work still to do: a job in `draining` has been approved and must drain.
 */
export const Phase = z.enum([
  'awaiting_approval',
  'draining',
  'scheduling',
  'maintenance',
  'health',
  'triage',
  'bookkeeping',
  'done',
]);
export type Phase = z.infer<typeof Phase>;

export const Outcome = z.enum(['returned', 'kept_out', 'denied', 'canceled', 'failed']);
export type Outcome = z.infer<typeof Outcome>;

export const ApprovalSource = z.enum(['slack', 'cli', 'policy']);

/**
 * What TICKET_WEBHOOK_URL made of a node kept out after failing: the ticket (its id and URL when
 * the answer named them), or why none could be opened. Recorded once; a job that has one never sends again.
 */
export const TicketRef = z.object({ id: z.string().optional(), url: z.string().optional() });
export type TicketRef = z.infer<typeof TicketRef>;
export const TicketRecord = z.union([
  TicketRef.extend({ opened: z.literal(true) }),
  z.object({ opened: z.literal(false), error: z.string() }),
]);
export type TicketRecord = z.infer<typeof TicketRecord>;

export const JobAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approve'), by: z.string().min(1), via: ApprovalSource }),
  z.object({ type: z.literal('deny'), by: z.string().min(1), via: ApprovalSource, reason: z.string() }),
  /** `other`: the node was already drained by someone else; we must never resume it. */
  z.object({ type: z.literal('drained'), drainedBy: z.enum(['pitstop', 'other']) }),
  /** The drain still waits on these Slurm jobs within DUE_WARNING of the hard due date: asked once. */
  z.object({ type: z.literal('due_warned'), slurmJobs: z.array(SlurmJob) }),
  /** A human's answer to that question (it may come before it): stop waiting for the Slurm jobs. */
  z.object({ type: z.literal('due_decided'), choice: DueChoice, by: z.string().min(1), via: ApprovalSource }),
  /**
   * The drain stopped waiting for its Slurm jobs, the node drained (no new Slurm job lands): by the
   * job's due decision, or because the hard due date came with none (then it is left to OCI).
   */
  z.object({ type: z.literal('drain_cut_short'), dueDateReached: z.boolean() }),
  /** `workRequestId` is absent when OCI's window cannot move and OCI acts at its own time. */
  z.object({
    type: z.literal('scheduled'),
    windowStart: z.string(),
    workRequestId: z.string().optional(),
  }),
  z.object({
    type: z.literal('maintenance_ended'),
    state: EventState.extract(['SUCCEEDED', 'FAILED', 'CANCELED']),
  }),
  z.object({ type: z.literal('health_checked'), verdict: Verdict }),
  z.object({ type: z.literal('triaged'), result: z.enum(['resumed', 'kept_out']), reason: z.string() }),
  /** The ticket webhook's answer, kept in the job; the job stays in bookkeeping. */
  z.object({ type: z.literal('ticket'), ticket: TicketRecord }),
  z.object({ type: z.literal('recorded') }),
  /** The event went away before anything was done (canceled by OCI, or finished without us). */
  z.object({ type: z.literal('cancel'), reason: z.string() }),
  /** Something needs a human: the job stops where it is, and says why. */
  z.object({ type: z.literal('fail'), reason: z.string().min(1) }),
]);
export type JobAction = z.infer<typeof JobAction>;
export type JobActionType = JobAction['type'];

export const HistoryEntry = z.object({
  at: z.string(),
  from: Phase,
  to: Phase,
  action: z.enum(
    JobAction.options.map((option) => option.shape.type.value) as [JobActionType, ...JobActionType[]],
  ),
});

/** A Slack message: its channel and timestamp. */
export const SlackRef = z.object({ channel: z.string(), ts: z.string() });
export type SlackRef = z.infer<typeof SlackRef>;

export const MaintenanceJob = z.object({
  /** One job per OCI event, so the id is derived from the event id. */
  id: z.string().min(1),
  eventId: z.string().min(1),
  event: MaintenanceEvent,
  /** When `event` (its OCI state) was last read: by a sweep's listing or a read of the event itself. */
  eventReadAt: z.string().optional(),
  /** Slurm node name, once mapped from the instance. */
  node: z.string().optional(),
  phase: Phase,
  outcome: Outcome.optional(),
  /** Why the job is where it is, in words for the operator. */
  reason: z.string().optional(),
  approval: z
    .object({ by: z.string(), via: ApprovalSource, at: z.string(), decision: z.enum(['approved', 'denied']) })
    .optional(),
  drainedBy: z.enum(['pitstop', 'other']).optional(),
  /** When the thread was told that the hard due date is near, and the Slurm jobs it named. */
  dueWarning: z.object({ at: z.string(), slurmJobs: z.array(SlurmJob) }).optional(),
  /** Proceed now, or leave it to OCI: who chose (DUE_DATE when the due date came first), how, when. */
  dueDecision: z
    .object({ choice: DueChoice, by: z.string(), via: ApprovalSource, at: z.string() })
    .optional(),
  workRequestId: z.string().optional(),
  windowStart: z.string().optional(),
  maintenanceState: EventState.optional(),
  verdict: Verdict.optional(),
  triage: z.enum(['resumed', 'kept_out']).optional(),
  ticket: TicketRecord.optional(),
  /** Where the job's Slack message lives, so its thread can be found again after a restart. */
  slack: SlackRef.optional(),
  /** When the announcement was posted; until then, every sweep posts it (again). */
  announcedAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Incremented by every change (transitions and annotations); a stale copy has a lower one. */
  version: z.number().int().nonnegative(),
  history: z.array(HistoryEntry),
});
export type MaintenanceJob = z.infer<typeof MaintenanceJob>;

export function jobIdFor(eventId: string): string {
  return `job-${createHash('sha256').update(eventId).digest('hex').slice(0, 16)}`;
}

/**
 * The OCI retry token for this job's schedule call: the same job always sends the same token,
 * so a retried or resumed request can never schedule twice (OCI keeps tokens for 24 h).
 */
export function retryTokenFor(job: Pick<MaintenanceJob, 'id' | 'eventId'>, purpose = 'schedule'): string {
  return `pitstop-${purpose}-${createHash('sha256').update(`${job.id}/${job.eventId}`).digest('hex').slice(0, 40)}`;
}

export function newJob(event: MaintenanceEvent, now: Date, node?: string): MaintenanceJob {
  const at = now.toISOString();
  return {
    id: jobIdFor(event.id),
    eventId: event.id,
    event,
    eventReadAt: at,
    node,
    phase: 'awaiting_approval',
    createdAt: at,
    updatedAt: at,
    version: 0,
    history: [],
  };
}

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly jobId: string,
    readonly from: Phase,
    readonly action: JobActionType,
    readonly why: string,
  ) {
    super(`job ${jobId}: cannot ${action} in phase ${from}: ${why}`);
  }
}

type Change = Partial<MaintenanceJob> & { phase: Phase };

/** What an action changes, or (a string) why it is not allowed from the job's phase. */
function step(job: MaintenanceJob, action: JobAction, at: string): Change | string {
  switch (action.type) {
    case 'approve':
      if (job.phase !== 'awaiting_approval') return 'only a job awaiting approval can be approved';
      // The sweep keeps why an event is unmapped in its reason.
      if (!job.node)
        return `the event is not mapped to a Slurm node yet${job.reason ? `: ${job.reason}` : ''}`;
      return {
        phase: 'draining',
        approval: { by: action.by, via: action.via, at, decision: 'approved' },
        reason: `approved by ${action.by}`,
      };
    case 'deny':
      if (job.phase !== 'awaiting_approval') return 'only a job awaiting approval can be denied';
      return {
        phase: 'done',
        outcome: 'denied',
        approval: { by: action.by, via: action.via, at, decision: 'denied' },
        reason: action.reason ? `denied by ${action.by}: ${action.reason}` : `denied by ${action.by}`,
      };
    case 'drained':
      if (job.phase !== 'draining') return 'the node is only drained from the draining phase';
      return {
        phase: 'scheduling',
        drainedBy: action.drainedBy,
        reason: action.drainedBy === 'other' ? 'node was already drained by someone else' : 'node drained',
      };
    case 'due_warned':
      if (job.phase !== 'draining') return 'only a drain that still waits is warned of the hard due date';
      if (job.dueWarning) return 'the thread was already warned of the hard due date';
      return {
        phase: 'draining',
        dueWarning: { at, slurmJobs: action.slurmJobs },
        reason: `hard due date ${job.event.timeHardDueDate} is near and ${action.slurmJobs.length} Slurm job(s) still run: proceed now, or leave it to OCI`,
      };
    case 'due_decided': {
      const refused = whyNoDueDecision(job);
      if (refused) return refused;
      return {
        phase: 'draining',
        dueDecision: { choice: action.choice, by: action.by, via: action.via, at },
        reason: `${action.by} chose to ${DUE_CHOICE_WORDS[action.choice]}`,
      };
    }
    case 'drain_cut_short': {
      if (job.phase !== 'draining') return 'only a drain can be cut short';
      // A human who decided as the due date came wins: theirs is the decision on record.
      const decision =
        job.dueDecision ??
        (action.dueDateReached
          ? { choice: 'leave_to_oci' as const, by: DUE_DATE, via: 'policy' as const, at }
          : undefined);
      if (!decision)
        return 'a drain is only cut short by a decision (proceed / leave to OCI) or the hard due date';
      return {
        phase: 'scheduling',
        drainedBy: 'pitstop',
        dueDecision: decision,
        reason: `node drained with Slurm jobs still running: ${decision.by} chose to ${DUE_CHOICE_WORDS[decision.choice]}`,
      };
    }
    case 'scheduled':
      if (job.phase !== 'scheduling') return 'maintenance is only scheduled from the scheduling phase';
      return {
        phase: 'maintenance',
        windowStart: action.windowStart,
        workRequestId: action.workRequestId,
        reason: `maintenance window starts ${action.windowStart}`,
      };
    case 'maintenance_ended':
      if (job.phase !== 'maintenance') return 'maintenance can only end during the maintenance phase';
      // A canceled event touched nothing, but the node was drained: it still earns its way back.
      return action.state === 'FAILED'
        ? { phase: 'triage', maintenanceState: action.state, reason: 'OCI reports the maintenance FAILED' }
        : { phase: 'health', maintenanceState: action.state, reason: `maintenance ${action.state}` };
    case 'health_checked':
      if (job.phase !== 'health') return 'health is only checked in the health phase';
      return { phase: 'triage', verdict: action.verdict, reason: `health ${action.verdict.status}` };
    case 'triaged':
      if (job.phase !== 'triage') return 'triage only happens in the triage phase';
      if (action.result === 'resumed') {
        if (job.verdict?.status !== 'PASS') return 'a node is only resumed after a PASS verdict';
        if (job.drainedBy !== 'pitstop') return 'a node is only resumed by us if we drained it';
      }
      return { phase: 'bookkeeping', triage: action.result, reason: action.reason };
    case 'ticket':
      if (job.phase !== 'bookkeeping') return 'a ticket is only recorded in bookkeeping';
      if (job.ticket) return 'the job already records its ticket';
      return { phase: 'bookkeeping', ticket: action.ticket };
    case 'recorded':
      if (job.phase !== 'bookkeeping') return 'only bookkeeping records a job';
      return { phase: 'done', outcome: job.triage === 'resumed' ? 'returned' : 'kept_out' };
    case 'cancel':
      if (job.phase !== 'awaiting_approval') return 'only a job nothing was done for yet can be canceled';
      return { phase: 'done', outcome: 'canceled', reason: action.reason };
    case 'fail':
      if (job.phase === 'done') return 'the job is already done';
      return { phase: 'done', outcome: 'failed', reason: action.reason };
  }
}

/**
 * Why a due decision (proceed / leave to OCI) cannot be taken now, or undefined when it can:
 * only while the drain still waits, and only once.
 */
export function whyNoDueDecision(job: MaintenanceJob): string | undefined {
  if (job.phase === 'awaiting_approval') return 'the job is not approved yet: approve or deny it first';
  if (job.phase === 'done') return `not needed any more: the job is finished (${job.outcome})`;
  if (job.phase !== 'draining') return `not needed any more: the drain is over (the job is in ${job.phase})`;
  if (job.dueDecision) {
    const { by, choice, at } = job.dueDecision;
    return `already decided: ${by} chose to ${DUE_CHOICE_WORDS[choice]} at ${at}`;
  }
  return undefined;
}

/** Pure: the job after `action`, or an IllegalTransitionError. The input is not modified. */
export function transition(job: MaintenanceJob, action: JobAction, now: Date): MaintenanceJob {
  const at = now.toISOString();
  const change = step(job, action, at);
  if (typeof change === 'string') throw new IllegalTransitionError(job.id, job.phase, action.type, change);
  return {
    ...job,
    ...change,
    updatedAt: at,
    version: job.version + 1,
    history: [...job.history, { at, from: job.phase, to: change.phase, action: action.type }],
  };
}

export const isActive = (job: MaintenanceJob) => job.phase !== 'done';
