import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { DUE_CHOICE_WORDS, type DueChoice } from '../../domain/due-date.js';
import { type MaintenanceJob, whyNoDueDecision } from '../../domain/job.js';
import { utcTime, who } from '../blocks/format.js';
import { escapeMrkdwn } from '../blocks/text.js';
import {
  ChannelId,
  type DecisionName,
  eventOn,
  finishedJob,
  isRefusedDecision,
  JobId,
  refuse,
  tell,
  UserId,
} from './decision.js';
import type { ListenerDeps } from './deps.js';

const Click = z.object({ user: UserId, channel: ChannelId.optional(), jobId: JobId });

/** How a refusal names the choice, and the CLI command that takes it too. */
const CHOICES: Readonly<Record<DueChoice, { name: DecisionName; command: string }>> = {
  proceed: { name: 'proceed now', command: 'proceed' },
  leave_to_oci: { name: 'leave to OCI', command: 'leave-to-oci' },
};

/** Why the job takes no due decision now: someone chose already, or the drain is over. */
function whyNot(job: MaintenanceJob | undefined): string {
  if (!job) return 'Nothing done: Pitstop has no job for this message any more.';
  const decision = job.dueDecision;
  if (decision) {
    return `Nothing done: ${eventOn(job)} was already decided: ${who(decision)} chose to ${DUE_CHOICE_WORDS[decision.choice]} at ${utcTime(decision.at)}.`;
  }
  return `Nothing done: ${eventOn(job)}: ${escapeMrkdwn(whyNoDueDecision(job) ?? 'it cannot be decided now')}.`;
}

/**
 * Proceed now / Let OCI act on the hard due date's warning: acknowledged at once, approvers only
 * (a refusal is ephemeral and audited), then the orchestrator takes the decision, which ends the
 * drain's wait. A second click, a second approver or a drain that finished meanwhile is told why
 * nothing was done; a redelivery of a click that worked is not answered twice.
 */
export async function dueDecisionClick(
  deps: ListenerDeps,
  client: WebClient,
  choice: DueChoice,
  payload: { user: string; channel?: string; value?: string; retryNum?: number },
): Promise<void> {
  const { name, command } = CHOICES[choice];
  const parsed = Click.safeParse({ user: payload.user, channel: payload.channel, jobId: payload.value });
  if (!parsed.success) {
    deps.log.warn(
      { component: 'slack', issues: parsed.error.issues },
      `ignored a ${name} click Pitstop cannot read`,
    );
    return;
  }
  const { user, channel, jobId } = parsed.data;
  const job = deps.store.get(jobId);
  if (!(await deps.approvers.isApprover(user))) {
    return refuse(deps, client, { user, channel, decision: name, job });
  }
  try {
    const decided = await deps.orchestrator.decideDue(jobId, choice, user, 'slack');
    deps.log.info(
      { component: 'slack', user, jobId, eventId: decided.eventId, node: decided.node },
      `${name}: decided in Slack by ${user}`,
    );
  } catch (error) {
    if (!isRefusedDecision(error)) {
      deps.log.error({ component: 'slack', user, jobId, err: error }, `a ${name} click failed`);
      const what = job ? eventOn(job) : `job ${jobId}`;
      return tell(
        deps,
        client,
        { channel, user },
        `Could not ${name} for ${what}: ${(error as Error).message}. Nothing was decided; try again, or \`pitstop ${command} ${job?.node ?? jobId}\`.`,
      );
    }
    const now = deps.store.get(jobId) ?? (await finishedJob(deps, jobId));
    if (payload.retryNum !== undefined && now?.dueDecision?.by === user) return;
    if (!deps.notDecidable.due(user, `${jobId} due`)) return;
    await tell(deps, client, { channel, user }, whyNot(now));
  }
}

/** Registers the button `actionId` as the choice `choice` (one listener file per action uses it). */
export function registerDueDecision(app: App, deps: ListenerDeps, actionId: string, choice: DueChoice): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, context }) => {
    await ack();
    await dueDecisionClick(deps, client, choice, {
      user: body.user.id,
      channel: body.channel?.id,
      value: action.value,
      retryNum: context.retryNum,
    });
  });
}
