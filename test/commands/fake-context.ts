import type { AuditRecord, CommandContext, Decision, PauseState } from '../../commands/context.js';
import { type MaintenanceJob, transition } from '../../src/domain/job.js';
import type { Verdict } from '../../src/domain/verdict.js';
import { resolveRef } from '../../src/orchestrator/resolve-ref.js';

/** A running system in memory: jobs that really transition, and a record of every call. */
export function fakeContext(options: {
  caller?: string;
  approvers?: string[];
  jobs?: MaintenanceJob[];
  history?: AuditRecord[];
  health?: () => Promise<Verdict>;
  sweep?: { found: number; created: number };
}) {
  const jobs = [...(options.jobs ?? [])];
  const calls = {
    decide: [] as { ref: string; decision: Decision }[],
    refusals: [] as { by: string; subcommand: string; args: readonly string[] }[],
    sweeps: 0,
    health: [] as string[],
  };
  let pauseState: PauseState | undefined;
  const ctx: CommandContext = {
    caller: options.caller ?? 'U0APPROVER',
    isApprover: async (user) => (options.approvers ?? ['U0APPROVER']).includes(user),
    auditRefusal: async (attempt) => {
      calls.refusals.push(attempt);
    },
    jobs: () => jobs,
    findJob: (ref) => resolveRef(jobs, ref),
    decide: async (ref, decision) => {
      calls.decide.push({ ref, decision });
      const job = resolveRef(jobs, ref);
      const next = transition(job, decision, new Date('2026-12-01T14:02:00Z'));
      jobs[jobs.indexOf(job)] = next;
      return next;
    },
    sweep: async () => {
      calls.sweeps++;
      return options.sweep ?? { found: 3, created: 0 };
    },
    pause: async (by, reason) => {
      pauseState = { by, reason, at: '2026-12-01T14:02:00Z' };
    },
    unpause: async () => {
      pauseState = undefined;
    },
    paused: () => pauseState,
    history: async () => options.history ?? [],
    checkHealth: async (node) => {
      calls.health.push(node);
      return (options.health ?? (() => Promise.reject(new Error('no health runner in this test'))))();
    },
  };
  return { ctx, calls, jobs };
}
