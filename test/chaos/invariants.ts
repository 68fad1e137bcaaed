import { readFile } from 'node:fs/promises';
import type { RequestLogEntry } from '../../src/sim/oci/server.js';
import type { StateFile } from '../../src/store/job-store.js';

/**
 * The fleet's invariants, checked after every chaos case by this one checker, from what the
 * outside world saw: the Slurm node updates (Pitstop's and a human's, in order), the OCI
 * simulator's request log, the audit log and the state file as left on disk.
 */

/** One node update that reached Slurm: by Pitstop (its commands) or by a human (the case's own). */
export interface SlurmChange {
  node: string;
  state: 'DRAIN' | 'DOWN' | 'RESUME';
  reason?: string;
  by: 'pitstop' | 'human';
}

export interface FleetRecord {
  slurm: SlurmChange[];
  oci: readonly RequestLogEntry[];
  /** The audit log's records, parsed. */
  audit: Record<string, unknown>[];
  state: StateFile;
  /** MAX_NODES_OUT of the run. */
  maxNodesOut: number;
}

export interface InvariantReport {
  violations: string[];
  /** Events with a job that is neither finished nor in the state file. */
  jobsLost: number;
  /** Side effects done more than once: drains, resumes, schedules, audit records. */
  duplicates: number;
}

const SCHEDULE_TOKEN = 'pitstop-schedule-';
const EVENT_IN_PATH = /instanceMaintenanceEvents\/([^/?]+)/;

/** Schedules OCI carried out (answered, or done with the answer dropped), per event. */
function schedulesPerEvent(oci: readonly RequestLogEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of oci) {
    if (!request.retryToken?.startsWith(SCHEDULE_TOKEN)) continue;
    // A replay acts no second time, answered or not; a dropped answer hides an update done.
    const carriedOut =
      !request.replayed && ((request.status >= 200 && request.status < 300) || request.dropped === true);
    const eventId = EVENT_IN_PATH.exec(request.target)?.[1];
    if (carriedOut && eventId) counts.set(eventId, (counts.get(eventId) ?? 0) + 1);
  }
  return counts;
}

interface JobFacts {
  jobId: string;
  eventId: string;
  node?: string;
  verdicts: string[];
  scheduledWithWorkRequest: boolean;
}

function jobsFromAudit(audit: Record<string, unknown>[]): Map<string, JobFacts> {
  const jobs = new Map<string, JobFacts>();
  for (const record of audit) {
    const jobId = record.jobId as string | undefined;
    if (!jobId || !(record.type === 'created' || record.type === 'transition')) continue;
    const facts = jobs.get(jobId) ?? {
      jobId,
      eventId: record.eventId as string,
      verdicts: [],
      scheduledWithWorkRequest: false,
    };
    facts.node ??= record.node as string | undefined;
    const action = record.action as { type?: string; verdict?: { status: string }; workRequestId?: string };
    if (action?.type === 'health_checked' && action.verdict) facts.verdicts.push(action.verdict.status);
    if (action?.type === 'scheduled' && action.workRequestId) facts.scheduledWithWorkRequest = true;
    jobs.set(jobId, facts);
  }
  return jobs;
}

export function checkInvariants(record: FleetRecord): InvariantReport {
  const violations: string[] = [];
  let duplicates = 0;
  const jobs = jobsFromAudit(record.audit);

  // Replays the node updates: who holds each node out, and how many Pitstop holds at once.
  const holder = new Map<string, SlurmChange>();
  let mostOut = 0;
  const resumesPerNode = new Map<string, number>();
  for (const change of record.slurm) {
    const held = holder.get(change.node);
    if (change.state === 'RESUME') {
      holder.delete(change.node);
      if (change.by === 'human') continue;
      resumesPerNode.set(change.node, (resumesPerNode.get(change.node) ?? 0) + 1);
      if (!held) {
        violations.push(`${change.node} resumed by Pitstop while not out (resumed twice?)`);
        duplicates++;
      } else if (held.by !== 'pitstop') {
        violations.push(
          `${change.node} resumed by Pitstop while a human held it (${held.reason ?? 'no reason'})`,
        );
      }
      continue;
    }
    if (change.by === 'pitstop' && held?.by === 'pitstop' && held.reason === change.reason) {
      violations.push(`${change.node} drained twice with one reason (${change.reason})`);
      duplicates++;
    }
    // A drain Pitstop writes over someone else's would take their hold.
    if (change.by === 'pitstop' && held?.by === 'human')
      violations.push(`${change.node}: Pitstop overwrote a human's hold (${held.reason ?? 'no reason'})`);
    holder.set(change.node, change);
    const pitstopOut = [...holder.values()].filter((c) => c.by === 'pitstop').length;
    mostOut = Math.max(mostOut, pitstopOut);
  }
  if (mostOut > record.maxNodesOut)
    violations.push(`${mostOut} nodes out at once by Pitstop, over MAX_NODES_OUT=${record.maxNodesOut}`);

  for (const [node, resumes] of resumesPerNode) {
    const passes = [...jobs.values()].filter(
      (job) => job.node === node && job.verdicts.at(-1) === 'PASS',
    ).length;
    if (resumes > passes)
      violations.push(`${node} resumed ${resumes} time(s) after ${passes} PASS verdict(s)`);
  }

  const schedules = schedulesPerEvent(record.oci);
  for (const [eventId, count] of schedules) {
    if (count > 1) {
      violations.push(`event ${eventId} had its window moved ${count} times`);
      duplicates += count - 1;
    }
  }
  for (const job of jobs.values()) {
    if (job.scheduledWithWorkRequest && schedules.get(job.eventId) !== 1)
      violations.push(
        `job ${job.jobId} scheduled, but OCI carried out ${schedules.get(job.eventId) ?? 0} updates`,
      );
  }

  // The audit log records what is durable, once: one "created" and one "finished" per job.
  for (const type of ['created', 'finished']) {
    const seen = new Map<string, number>();
    for (const r of record.audit.filter((r) => r.type === type)) {
      seen.set(r.jobId as string, (seen.get(r.jobId as string) ?? 0) + 1);
    }
    for (const [jobId, count] of seen) {
      if (count > 1) {
        violations.push(`audit log: ${count} "${type}" records for job ${jobId}`);
        duplicates += count - 1;
      }
    }
  }

  let jobsLost = 0;
  for (const job of jobs.values()) {
    const live = Object.values(record.state.jobs).some((j) => j.id === job.jobId);
    const finished = record.state.finished[job.eventId]?.jobId === job.jobId;
    if (!live && !finished) {
      violations.push(`job ${job.jobId} (${job.eventId}) is neither finished nor in the state file`);
      jobsLost++;
    }
  }
  return { violations, jobsLost, duplicates };
}

export async function readAudit(auditFile: string): Promise<Record<string, unknown>[]> {
  let text = '';
  try {
    text = await readFile(auditFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
