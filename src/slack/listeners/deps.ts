import type { Logger } from '../../log.js';
import type { Orchestrator } from '../../orchestrator.js';
import type { Cluster, Store } from '../../ports.js';
import type { Outbox } from '../outbox/outbox.js';
import type { NotDecidableAnswers } from './decision.js';

/** Who may decide (SLACK_APPROVERS, groups resolved): src/slack/approvers.ts. */
export interface ApproverCheck {
  isApprover(userId: string): Promise<boolean>;
}

/** What every listener gets: decisions go through the orchestrator, never around it. */
export interface ListenerDeps {
  orchestrator: Orchestrator;
  /** Reads jobs, writes audit records; the orchestrator owns every change of a job. */
  store: Store & { readonly auditFile: string };
  cluster: Cluster;
  approvers: ApproverCheck;
  /** SLACK_CHANNEL: where a refusal goes when the job names no channel of its own. */
  channel?: string;
  /**
   * Where answers and Home tabs go when Pitstop runs with its outbox (serve): paced within Slack's
   * budgets with everything else it sends. Without one (a bare app), straight to the Web API.
   */
  outbox?: Pick<Outbox, 'enqueue'>;
  /** Throttles the "already decided" answers. */
  notDecidable: NotDecidableAnswers;
  /** Told when someone opens the Home tab, to keep it current while jobs change. */
  homeViewers?: { opened(user: string): void };
  log: Logger;
}
