import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ACTION_IDS } from '../../blocks/ids.js';
import {
  ChannelId,
  eventOn,
  isRefusedDecision,
  JobId,
  refuse,
  tell,
  tellNotDecidable,
  UserId,
} from '../decision.js';
import type { ListenerDeps } from '../deps.js';

const Click = z.object({ user: UserId, channel: ChannelId.optional(), jobId: JobId });

/**
 * Approve on an event message: acknowledged at once (Slack waits 3 s), then the orchestrator
 * decides; its notifier updates the message and the thread. A second click, a second approver
 * or a redelivery finds the job decided and starts nothing.
 */
export async function approveClick(
  deps: ListenerDeps,
  client: WebClient,
  payload: { user: string; channel?: string; value?: string; retryNum?: number },
): Promise<void> {
  const parsed = Click.safeParse({ user: payload.user, channel: payload.channel, jobId: payload.value });
  if (!parsed.success) {
    deps.log.warn(
      { component: 'slack', issues: parsed.error.issues },
      'ignored an Approve click Pitstop cannot read',
    );
    return;
  }
  const { user, channel, jobId } = parsed.data;
  const job = deps.store.get(jobId);
  if (!(await deps.approvers.isApprover(user))) {
    return refuse(deps, client, { user, channel, decision: 'approve', job });
  }
  try {
    const approved = await deps.orchestrator.approve(jobId, user, 'slack');
    deps.log.info(
      { component: 'slack', user, jobId, eventId: approved.eventId, node: approved.node },
      `approved in Slack by ${user}`,
    );
  } catch (error) {
    if (!isRefusedDecision(error)) {
      deps.log.error({ component: 'slack', user, jobId, err: error }, 'an Approve click failed');
      const what = job ? eventOn(job) : `job ${jobId}`;
      return tell(
        deps,
        client,
        { channel, user },
        `Could not approve ${what}: ${(error as Error).message}. Nothing was started; try again, or \`/pitstop approve ${job?.node ?? jobId}\`.`,
      );
    }
    // A redelivery of a click that worked: its clicker saw it work, and needs no second answer.
    if (payload.retryNum !== undefined && deps.store.get(jobId)?.approval?.by === user) return;
    await tellNotDecidable(deps, client, { channel, user }, jobId);
  }
}

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(
    ACTION_IDS.approve,
    async ({ ack, body, action, client, context }) => {
      await ack();
      await approveClick(deps, client, {
        user: body.user.id,
        channel: body.channel?.id,
        value: action.value,
        retryNum: context.retryNum,
      });
    },
  );
}
