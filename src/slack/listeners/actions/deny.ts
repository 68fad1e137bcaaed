import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { denyModal } from '../../blocks/deny-modal.js';
import { ACTION_IDS } from '../../blocks/ids.js';
import { ChannelId, eventOn, JobId, refuse, tell, tellNotDecidable, UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

const Click = z.object({
  user: UserId,
  channel: ChannelId.optional(),
  jobId: JobId,
  triggerId: z.string().min(1),
});

/**
 * Deny on an event message opens the modal that asks why (views.open, with the click's
 * trigger_id, which Slack honours for 3 s); the submission decides (listeners/views/deny-modal).
 */
export async function denyClick(
  deps: ListenerDeps,
  client: WebClient,
  payload: { user: string; channel?: string; value?: string; triggerId?: string },
): Promise<void> {
  const parsed = Click.safeParse({ ...payload, jobId: payload.value });
  if (!parsed.success) {
    deps.log.warn(
      { component: 'slack', issues: parsed.error.issues },
      'ignored a Deny click Pitstop cannot read',
    );
    return;
  }
  const { user, channel, jobId, triggerId } = parsed.data;
  const job = deps.store.get(jobId);
  if (!(await deps.approvers.isApprover(user))) {
    return refuse(deps, client, { user, channel, decision: 'deny', job });
  }
  if (job?.phase !== 'awaiting_approval') {
    return tellNotDecidable(deps, client, { channel, user }, jobId);
  }
  try {
    await client.views.open({ trigger_id: triggerId, view: denyModal(job) });
  } catch (error) {
    deps.log.warn({ component: 'slack', user, jobId, err: error }, 'could not open the Deny modal');
    await tell(
      deps,
      client,
      { channel, user },
      `Could not open the Deny form for ${eventOn(job)} (${(error as Error).message}). Nothing was decided: click Deny again, or \`/pitstop deny ${job.node ?? job.eventId} <reason>\`.`,
    );
  }
}

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.deny, async ({ ack, body, action, client }) => {
    await ack();
    await denyClick(deps, client, {
      user: body.user.id,
      channel: body.channel?.id,
      value: action.value,
      triggerId: body.trigger_id,
    });
  });
}
