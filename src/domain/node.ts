import { z } from 'zod';

/**
 * Slurm node names as Pitstop accepts them: what slurm.conf allows in practice (letters, digits,
 * `-`, `_`, `.`), never anything a shell or scontrol's `Key=Value` parser could read as syntax.
 */
export const NodeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a Slurm node name is letters, digits, ".", "_" or "-"');

/** Where a node stands with respect to draining, which is what Pitstop acts on. */
export const DrainState = z.enum(['none', 'draining', 'drained']);
export type DrainState = z.infer<typeof DrainState>;

export const NodeStatus = z.object({
  name: NodeName,
  /** Base state: IDLE, ALLOCATED, MIXED, DOWN, FUTURE, UNKNOWN, ... */
  state: z.string(),
  /** Flags after the base state: DRAIN, NOT_RESPONDING, REBOOT_REQUESTED, MAINTENANCE, ... */
  flags: z.array(z.string()),
  drain: DrainState,
  responding: z.boolean(),
  /** The reason text without Slurm's trailing `[user@time]`. */
  reason: z.string().optional(),
  reasonUser: z.string().optional(),
  reasonTime: z.string().optional(),
  gpus: z.number().int().nonnegative(),
  gpuType: z.string().optional(),
  partitions: z.array(z.string()),
  address: z.string().optional(),
  hostname: z.string().optional(),
  /** ISO time slurmd last registered; a later value than a maintenance start means it came back. */
  slurmdStartTime: z.string().optional(),
  bootTime: z.string().optional(),
});
export type NodeStatus = z.infer<typeof NodeStatus>;

/** A Slurm job (never just "job": that word is ours). */
export const SlurmJob = z.object({
  id: z.string(),
  user: z.string(),
  name: z.string(),
  state: z.string(),
  elapsed: z.string(),
  timeLimit: z.string(),
  gres: z.string().optional(),
});
export type SlurmJob = z.infer<typeof SlurmJob>;

/** A hand hold from `pitstop node drain` starts with this: an operator's, which no job claims. */
export const PITSTOP_REASON_PREFIX = 'pitstop:';

/** Slurm keeps a reason as one line; Pitstop writes at most this many characters. */
export const MAX_REASON_LENGTH = 400;

/** A job's reason: `pitstop <jobId>: <text>`, the job id as `jobIdFor` makes it. */
const JOB_REASON = /^pitstop (job-[0-9a-f]{16}): /;

/**
 * Whose drain a reason says it is: the job id of the job that wrote it, `hand` for an
 * operator's `pitstop node drain`, or undefined when Pitstop did not write it (or no reason).
 */
export function drainOwner(reason: string | undefined): string | 'hand' | undefined {
  const text = reason?.trimStart() ?? '';
  const job = JOB_REASON.exec(text);
  if (job) return job[1];
  return text.startsWith(PITSTOP_REASON_PREFIX) ? 'hand' : undefined;
}

/** One line (control characters blanked) within MAX_REASON_LENGTH. */
function oneLine(reason: string): string {
  const line = [...reason]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('');
  return line.length <= MAX_REASON_LENGTH ? line : `${line.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** The reason job `jobId` writes: only that job claims, resumes or marks the drain it carries. */
export const jobReason = (jobId: string, text: string) => oneLine(`pitstop ${jobId}: ${text}`);

/** An operator's hold: the text prefixed `pitstop:` (never a job's, even if the text imitates one). */
export const handReason = (text: string) =>
  oneLine(drainOwner(text) === 'hand' ? text : `${PITSTOP_REASON_PREFIX} ${text}`);

/** Out of service: draining, drained, down or failing, for whatever reason. */
export const isOutOfService = (status: NodeStatus) =>
  status.drain !== 'none' || status.state === 'DOWN' || status.flags.includes('FAIL');

/** Whose drain a reason is, as a short tag: the job id, an operator's hand hold, or not Pitstop's. */
export function ownerLabel(reason: string | undefined): string {
  const owner = drainOwner(reason);
  if (owner === undefined) return 'not Pitstop';
  return owner === 'hand' ? 'hand hold (pitstop node drain)' : owner;
}

/** Who holds a node out, in words: a job, an operator's hand hold, or someone outside Pitstop. */
export function holderOf(status: NodeStatus): string {
  const owner = drainOwner(status.reason);
  const holder =
    owner === undefined
      ? 'not by Pitstop'
      : owner === 'hand'
        ? "an operator's hold through pitstop node drain"
        : `held for job ${owner}`;
  const who = status.reasonUser ?? 'someone';
  const when = status.reasonTime ? ` at ${status.reasonTime}` : '';
  const how = status.drain === 'none' ? `is ${status.state}` : 'was drained';
  const why = status.reason === undefined ? 'no reason' : `reason "${status.reason}"`;
  return `${status.name} ${how} by ${who}${when} with ${why}, ${holder}`;
}

/** How an operator releases a node held by `status`'s reason, once that reason is settled. */
export function releaseByHand(status: NodeStatus): string {
  return drainOwner(status.reason) === 'hand'
    ? `pitstop node resume ${status.name}`
    : `scontrol update NodeName=${status.name} State=RESUME`;
}
