import type { DueChoice } from '../domain/due-date.js';
import type { JobAction, MaintenanceJob } from '../domain/job.js';
import type { Store } from '../ports.js';
import { resolveRef } from './resolve-ref.js';

/** Where a decision came from: Slack, the CLI or the policy. */
export type ApprovalSource = NonNullable<MaintenanceJob['approval']>['via'];

export type Decision =
  | { decision: 'approve'; by: string; via: ApprovalSource }
  | { decision: 'deny'; by: string; via: ApprovalSource; reason: string }
  /** Near the hard due date, with the drain still waiting on Slurm jobs. */
  | { decision: DueChoice; by: string; via: ApprovalSource };

function actionOf(decision: Decision): JobAction {
  const { by, via } = decision;
  switch (decision.decision) {
    case 'approve':
      return { type: 'approve', by, via };
    case 'deny':
      return { type: 'deny', by, via, reason: decision.reason };
    default:
      return { type: 'due_decided', choice: decision.decision, by, via };
  }
}

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
  const after = await store.apply(before.id, actionOf(decision));
  return { before, after };
}
