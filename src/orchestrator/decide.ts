import type { MaintenanceJob } from '../domain/job.js';
import type { Store } from '../ports.js';
import { resolveRef } from './resolve-ref.js';

/** Where a decision came from: Slack, the CLI or the policy. */
export type ApprovalSource = NonNullable<MaintenanceJob['approval']>['via'];

export type Decision =
  | { decision: 'approve'; by: string; via: ApprovalSource }
  | { decision: 'deny'; by: string; via: ApprovalSource; reason: string };

/**
 * Applies a human's decision to the job `ref` names (event OCID, job id, or a node with one
 * active job). Durable before it resolves; `transition` refuses what may not be decided now.
 */
export async function decide(
  store: Store,
  ref: string,
  decision: Decision,
): Promise<{ before: MaintenanceJob; after: MaintenanceJob }> {
  const before = resolveRef(store.list(), ref);
  const { by, via } = decision;
  const after = await store.apply(
    before.id,
    decision.decision === 'approve'
      ? { type: 'approve', by, via }
      : { type: 'deny', by, via, reason: decision.reason },
  );
  return { before, after };
}
