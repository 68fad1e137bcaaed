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

/** Every reason Pitstop writes starts with this, which is how it knows a drain is its own. */
export const PITSTOP_REASON_PREFIX = 'pitstop:';

export const isPitstopReason = (reason: string | undefined) =>
  reason?.trimStart().startsWith(PITSTOP_REASON_PREFIX) ?? false;

/** Out of service: draining, drained, down or failing, for whatever reason. */
export const isOutOfService = (status: NodeStatus) =>
  status.drain !== 'none' || status.state === 'DOWN' || status.flags.includes('FAIL');
