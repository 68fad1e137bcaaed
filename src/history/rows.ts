import { z } from 'zod';
import type { MaintenanceEvent } from '../domain/event.js';
import { MaintenanceJob, Outcome, Phase } from '../domain/job.js';
import { phaseSpans, type Step } from '../domain/timeline.js';

/**
 * The audit log's job records as `history` reads them (DESIGN: they only grow, so unknown fields
 * and record types are passed over). A finished record carries the whole job.
 */
const JobRecord = z.looseObject({
  type: z.enum(['created', 'transition', 'finished']),
  jobId: z.string(),
  eventId: z.string(),
  node: z.string().optional(),
  at: z.string(),
  from: Phase.optional(),
  to: Phase.optional(),
  action: z.looseObject({ type: z.string(), by: z.string().optional() }).optional(),
  /** On `finished` records. */
  outcome: Outcome.optional().catch(undefined),
  job: z.unknown().optional(),
});
type JobRecord = z.infer<typeof JobRecord>;

/** One job as `pitstop history` shows it. */
export const HistoryRow = z.object({
  jobId: z.string(),
  eventId: z.string(),
  node: z.string().optional(),
  /** OCI's faults (id and summary), or its maintenance reason when it named none; unknown for a job known only from transitions. */
  fault: z.string().optional(),
  decision: z.enum(['approved', 'denied']).optional(),
  approver: z.string().optional(),
  /** `running`: not finished yet (`phase` says where it is); `unknown`: a finished record that does not say. */
  outcome: z.union([Outcome, z.enum(['running', 'unknown'])]),
  phase: Phase,
  created: z.string(),
  finished: z.string().optional(),
  phases: z.array(z.object({ phase: Phase, start: z.string(), end: z.string().optional() })),
  ticket: z.string().optional(),
});
export type HistoryRow = z.infer<typeof HistoryRow>;

function faultOf(event: MaintenanceEvent): string {
  if (event.faults.length === 0) return event.reason;
  return event.faults.map((f) => (f.summary ? `${f.faultId} ${f.summary}` : f.faultId)).join('; ');
}

function fromJob(job: MaintenanceJob, outcome: HistoryRow['outcome']): HistoryRow {
  const ticket = job.ticket?.opened ? (job.ticket.url ?? job.ticket.id) : job.ticket && 'none opened';
  return {
    jobId: job.id,
    eventId: job.eventId,
    node: job.node,
    fault: faultOf(job.event),
    decision: job.approval?.decision,
    approver: job.approval?.by,
    outcome,
    phase: job.phase,
    created: job.createdAt,
    finished: job.phase === 'done' ? job.updatedAt : undefined,
    phases: phaseSpans(job.createdAt, job.history),
    ...(ticket ? { ticket } : {}),
  };
}

/** A job known only from its transition records (the state file does not hold it): no fault known. */
function fromRecords(records: readonly JobRecord[]): HistoryRow {
  const first = records[0]!;
  const steps: Step[] = records.flatMap((r) =>
    r.type === 'transition' && r.from && r.to ? [{ at: r.at, from: r.from, to: r.to }] : [],
  );
  const decided = records.find((r) => r.action?.type === 'approve' || r.action?.type === 'deny');
  const created = records.find((r) => r.type === 'created')?.at ?? steps[0]?.at ?? first.at;
  return {
    jobId: first.jobId,
    eventId: first.eventId,
    node: records.findLast((r) => r.node)?.node,
    decision: decided && (decided.action!.type === 'approve' ? 'approved' : 'denied'),
    approver: decided?.action?.by,
    // Done with no readable finished record: how it ended is not known here.
    outcome: steps.at(-1)?.to === 'done' ? 'unknown' : 'running',
    phase: steps.at(-1)?.to ?? 'awaiting_approval',
    created,
    phases: phaseSpans(created, steps),
  };
}

/**
 * One row per job the audit log knows, oldest first: a finished job from its `finished` record;
 * one still running from `active` (the state file, which knows its event) or else from its
 * transition records. A `finished` record whose job cannot be read is shown from its transitions.
 */
export function historyRows(records: readonly unknown[], active: readonly MaintenanceJob[]): HistoryRow[] {
  const byJob = new Map<string, JobRecord[]>();
  for (const record of records) {
    const parsed = JobRecord.safeParse(record);
    if (!parsed.success) continue;
    const list = byJob.get(parsed.data.jobId) ?? [];
    list.push(parsed.data);
    byJob.set(parsed.data.jobId, list);
  }
  const activeById = new Map(active.map((job) => [job.id, job]));
  return [...byJob.values()].map((list) => {
    const finished = list.findLast((r) => r.type === 'finished');
    const job = MaintenanceJob.safeParse(finished?.job);
    if (job.success) return fromJob(job.data, job.data.outcome ?? 'unknown');
    const running = activeById.get(list[0]!.jobId);
    if (running && !finished) return fromJob(running, 'running');
    const row = fromRecords(list);
    return finished
      ? { ...row, outcome: Outcome.catch('failed').parse(finished.outcome), finished: finished.at }
      : row;
  });
}

/** The last time anything happened to the job. */
export const lastActivity = (row: HistoryRow): string =>
  row.finished ?? row.phases.at(-1)?.start ?? row.created;
