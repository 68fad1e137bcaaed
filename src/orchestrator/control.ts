import { z } from 'zod';
import type { MaintenanceJob } from '../domain/job.js';
import { PauseState } from '../domain/pause.js';

/** The body of POST /control/approve and /control/deny (what `pitstop approve|deny` sends). */
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
  terminate: '/control/terminate',
} as const;

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
