import { z } from 'zod';
import type { MaintenanceJob } from '../domain/job.js';
import { PauseState } from '../domain/pause.js';
import type { ApprovalSource, Decision } from './decide.js';

/** The body of POST /control/<decision> (what `pitstop approve|deny|proceed|leave-to-oci` sends). */
export const ControlRequest = z.object({
  ref: z.string().min(1),
  by: z.string().min(1),
  reason: z.string().default(''),
});
export type ControlRequest = z.input<typeof ControlRequest>;

/** What a decision answers: the job after it, or why it was refused. */
export const ControlReply = z.union([
  z.object({
    ok: z.literal(true),
    job: z.object({
      id: z.string(),
      eventId: z.string(),
      node: z.string().optional(),
      phase: z.string(),
      outcome: z.string().optional(),
      reason: z.string().optional(),
    }),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ControlReply = z.infer<typeof ControlReply>;

export const jobReply = (job: MaintenanceJob): ControlReply => ({
  ok: true,
  job: {
    id: job.id,
    eventId: job.eventId,
    node: job.node,
    phase: job.phase,
    outcome: job.outcome,
    reason: job.reason,
  },
});

export const CONTROL_PATHS = {
  approve: '/control/approve',
  deny: '/control/deny',
  proceed: '/control/proceed',
  'leave-to-oci': '/control/leave-to-oci',
} as const;

/** A decision as the CLI and the control socket name it. */
export type ControlDecision = keyof typeof CONTROL_PATHS;

/** The orchestrator's decision for a control request (`reason` is only a denial's). */
export function decisionOf(
  name: ControlDecision,
  body: { by: string; reason?: string },
  via: ApprovalSource,
): Decision {
  const { by } = body;
  switch (name) {
    case 'approve':
      return { decision: 'approve', by, via };
    case 'deny':
      return { decision: 'deny', by, via, reason: body.reason ?? '' };
    case 'proceed':
      return { decision: 'proceed', by, via };
    case 'leave-to-oci':
      return { decision: 'leave_to_oci', by, via };
  }
}

/** The body of POST /control/pause and /control/unpause (what `pitstop pause|unpause` sends). */
export const PauseRequest = z.object({ by: z.string().min(1), reason: z.string().default('') });
export type PauseRequest = z.input<typeof PauseRequest>;

/** The pause after the request (null: not paused), or why it was refused. */
export const PauseReply = z.union([
  z.object({ ok: z.literal(true), paused: PauseState.nullable() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type PauseReply = z.infer<typeof PauseReply>;

export const PAUSE_PATHS = { pause: '/control/pause', unpause: '/control/unpause' } as const;

/** `pitstop terminate`: not a decision on the event, a request under the two-person rule. */
export const TERMINATE_PATH = '/control/terminate';
