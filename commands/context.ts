import { z } from 'zod';
import type { JobAction, MaintenanceJob } from '../src/domain/job.js';
import { Outcome, Phase } from '../src/domain/job.js';
import type { PauseState } from '../src/domain/pause.js';
import type { Verdict } from '../src/domain/verdict.js';

/** A decision a command makes; `via` is always 'slack' here. */
export type Decision = Extract<JobAction, { type: 'approve' | 'deny' }>;

/**
 * One line of the audit log (AUDIT_FILE, JSON lines) as `history` shows it. Records only grow
 * (see DESIGN.md), so unknown fields and types are kept, and only what is shown is checked.
 */
export const AuditRecord = z.looseObject({
  type: z.string(),
  at: z.string(),
  eventId: z.string().optional(),
  node: z.string().optional(),
  from: Phase.optional(),
  to: Phase.optional(),
  /** A JobAction; read loosely so an action type added later still shows. */
  action: z
    .looseObject({ type: z.string(), by: z.string().optional(), reason: z.string().optional() })
    .optional(),
  /** `finished` records carry the whole job. */
  job: z
    .looseObject({ eventId: z.string(), node: z.string().optional(), outcome: Outcome.optional() })
    .optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export type { PauseState } from '../src/domain/pause.js';

/**
 * What the /pitstop subcommands need from the running system, for one invocation. The Slack
 * listener builds it around the orchestrator; errors thrown here are operator messages (no
 * such job, not allowed in this phase) and are shown to the caller as they are.
 */
export interface CommandContext {
  /** The Slack user id of whoever typed the command. */
  readonly caller: string;
  /** SLACK_APPROVERS, user groups resolved. */
  isApprover(userId: string): Promise<boolean>;
  /** A refused attempt goes to the audit log: who tried what. */
  auditRefusal(attempt: { by: string; subcommand: string; args: readonly string[] }): Promise<void>;
  /** The active jobs. */
  jobs(): readonly MaintenanceJob[];
  /** The active job `ref` names (event OCID, job id, or a node with one active job); throws otherwise. */
  findJob(ref: string): MaintenanceJob;
  /** Durable before it resolves; throws when the job may not be decided now. */
  decide(ref: string, decision: Decision): Promise<MaintenanceJob>;
  /** A discovery sweep now (it never overlaps a running one). */
  sweep(): Promise<{ found: number; created: number }>;
  /** Persisted: no new job starts until unpaused; running ones finish. */
  pause(by: string, reason: string): Promise<void>;
  unpause(by: string): Promise<void>;
  paused(): PauseState | undefined;
  /** The node's records from the audit log, oldest first. */
  history(node: string): Promise<AuditRecord[]>;
  /** Ad-hoc GPU checks of a node; resolves with the verdict when they are done (minutes). */
  checkHealth(node: string, by: string): Promise<Verdict>;
}
