import { AuditRecord, type CommandContext } from '../../commands/context.js';
import { resolveRef } from '../orchestrator/resolve-ref.js';
import { scanAudit } from '../store/audit-reader.js';
import type { ListenerDeps } from './listeners/deps.js';

/** Whether an audit record is about `node`: a job's record names it, a finished one inside its job. */
const aboutNode = (node: string) => (record: unknown) => {
  const r = record as { node?: unknown; job?: { node?: unknown } };
  return r.node === node || r.job?.node === node;
};

/** The running system as one `/pitstop` invocation by `caller` sees it: all through the orchestrator. */
export function commandContext(deps: ListenerDeps, caller: string): CommandContext {
  const { orchestrator, store } = deps;
  return {
    caller,
    isApprover: (userId) => deps.approvers.isApprover(userId),
    auditRefusal: ({ by, subcommand, args }) =>
      store.writeAudit({ type: 'refused', by, via: 'slack', action: subcommand, args: [...args] }),
    jobs: () => store.list(),
    findJob: (ref) => resolveRef(store.list(), ref),
    decide: (ref, decision) =>
      decision.type === 'approve'
        ? orchestrator.approve(ref, decision.by, 'slack')
        : orchestrator.deny(ref, decision.by, 'slack', decision.reason),
    sweep: async () => {
      const result = await orchestrator.sweep();
      return { found: result.discovered, created: result.created.length };
    },
    pause: async (by, reason) => {
      await orchestrator.pause(by, reason);
    },
    unpause: (by) => orchestrator.unpause(by),
    paused: () => orchestrator.paused(),
    history: async (node) =>
      (await scanAudit(store.auditFile, aboutNode(node))).flatMap((record) => {
        const parsed = AuditRecord.safeParse(record);
        return parsed.success ? [parsed.data] : [];
      }),
    checkHealth: (node, by) => orchestrator.checkHealth(node, by),
  };
}
