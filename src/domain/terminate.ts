import { z } from 'zod';
import type { MaintenanceJob } from './job.js';
import { drainOwner, isOutOfService, type NodeStatus, ownerLabel, type SlurmJob } from './node.js';

/** One person's request to terminate a job's instance (a Slack user id, or a CLI `--by`). */
export const TerminateRequest = z.object({
  by: z.string().min(1),
  via: z.enum(['slack', 'cli']),
  at: z.string(),
});
export type TerminateRequest = z.infer<typeof TerminateRequest>;

/**
 * The two-person rule's durable record for one job: `waiting` holds the first request;
 * `calling` is written (with both requests) before TerminateInstance is sent and `terminated`
 * after it, so a crash in between is found and settled by reading the instance, never by a
 * blind second call. A refusal starts a new round: both requests are needed again.
 */
export const Termination = z.object({
  jobId: z.string().min(1),
  eventId: z.string().min(1),
  node: z.string().min(1),
  instanceId: z.string().min(1),
  state: z.enum(['waiting', 'calling', 'terminated']),
  requests: z.array(TerminateRequest),
  /** Why the last attempt was refused (the node's state, OCI's error as OCI said it). */
  refused: z.object({ at: z.string(), why: z.string() }).optional(),
  terminatedAt: z.string().optional(),
});
export type Termination = z.infer<typeof Termination>;

/**
 * Why `job`'s instance is not Pitstop's to terminate, or undefined when it is: only a node this
 * job drained, checked, found FAIL or ERROR and kept out.
 */
export function notTerminable(job: MaintenanceJob): string | undefined {
  const which = `job ${job.id} (event ${job.eventId})`;
  if (!job.node) return `${which} never mapped its instance to a Slurm node`;
  if (job.triage !== 'kept_out') {
    return `${which} did not keep ${job.node} out${job.phase === 'done' ? ` (it ended ${job.outcome})` : ` (it is in ${job.phase})`}`;
  }
  const status = job.verdict?.status;
  if (status !== 'FAIL' && status !== 'ERROR') {
    return `${job.node} did not fail its checks in ${which} (${status ? `health ${status}` : 'no health verdict'})`;
  }
  if (job.drainedBy !== 'pitstop') {
    return `${job.node} was held out by someone else before ${which} drained it: not Pitstop's to terminate`;
  }
  return undefined;
}

/**
 * Why the node must not lose its instance now, read from Slurm at the moment of acting, or
 * undefined: it must still be out with this job's own reason (drained or down, not draining)
 * and run no Slurm job. Anything else — back in service, someone else's hold — refuses.
 */
export function nodeNotOut(
  jobId: string,
  status: NodeStatus,
  slurmJobs: readonly SlurmJob[],
): string | undefined {
  const node = status.name;
  if (!isOutOfService(status)) return `${node} is back in service (${status.state}): someone resumed it`;
  if (drainOwner(status.reason) !== jobId) {
    return `${node} is held out by ${ownerLabel(status.reason)}${status.reason ? ` ("${status.reason}")` : ''}, no longer by job ${jobId}`;
  }
  if (status.drain === 'draining' || slurmJobs.length > 0) {
    const ids = slurmJobs.map((j) => `${j.id} (${j.user})`).join(', ');
    return `${node} still has Slurm jobs on it${ids ? `: ${ids}` : ''}`;
  }
  return undefined;
}

/** What a request by `by` does to the record: the first, the same person again, the second, or nothing. */
export type TerminateStep =
  | { kind: 'first' }
  | { kind: 'same_person'; first: TerminateRequest }
  | { kind: 'second'; first: TerminateRequest }
  /** A crash left the call unrecorded: read the instance, and call again only if it is not going. */
  | { kind: 'settle' }
  | { kind: 'terminated'; record: Termination };

export function terminateStep(record: Termination | undefined, by: string): TerminateStep {
  if (record?.state === 'terminated') return { kind: 'terminated', record };
  if (record?.state === 'calling') return { kind: 'settle' };
  const first = record?.requests[0];
  if (!first) return { kind: 'first' };
  return first.by === by ? { kind: 'same_person', first } : { kind: 'second', first };
}
