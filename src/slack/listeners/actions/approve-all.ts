import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ACTION_IDS } from '../../blocks/ids.js';
import { escapeMrkdwn } from '../../blocks/text.js';
import { jobIdsOfDigest } from '../../digest.js';
import { ChannelId, isRefusedDecision, refuse, tell, UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

const Click = z.object({ user: UserId, channel: ChannelId.optional(), digestId: z.string().min(1).max(255) });

/**
 * Approve all on a digest: each of its jobs still awaiting approval is approved, one by one, as
 * if clicked in its own message; those decided meanwhile or not mapped are counted and skipped.
 */
export async function approveAllClick(
  deps: ListenerDeps,
  client: WebClient,
  payload: { user: string; channel?: string; value?: string },
): Promise<void> {
  const parsed = Click.safeParse({ ...payload, digestId: payload.value });
  if (!parsed.success) {
    deps.log.warn(
      { component: 'slack', issues: parsed.error.issues },
      'ignored an Approve all click Pitstop cannot read',
    );
    return;
  }
  const { user, channel, digestId } = parsed.data;
  if (!(await deps.approvers.isApprover(user))) {
    return refuse(deps, client, { user, channel, decision: 'approve all' });
  }
  const jobIds = jobIdsOfDigest(digestId);
  if (!jobIds) {
    return tell(
      deps,
      client,
      { channel, user },
      'Nothing done: Pitstop cannot read this digest. Approve each event in its own message.',
    );
  }
  const approved: string[] = [];
  const skipped: string[] = [];
  for (const jobId of jobIds) {
    const job = deps.store.get(jobId);
    try {
      const after = await deps.orchestrator.approve(jobId, user, 'slack');
      approved.push(escapeMrkdwn(after.node ?? after.eventId));
    } catch (error) {
      const name = escapeMrkdwn(job?.node ?? jobId);
      if (!isRefusedDecision(error)) {
        deps.log.error({ component: 'slack', user, jobId, err: error }, 'approve all: one approval failed');
        skipped.push(`${name} (failed: ${escapeMrkdwn((error as Error).message)})`);
      } else {
        const why = job?.phase === 'awaiting_approval' ? 'not mapped to a node' : 'decided already';
        skipped.push(`${name} (${why})`);
      }
    }
  }
  deps.log.info({ component: 'slack', user, digestId, approved, skipped }, `approve all by ${user}`);
  await tell(
    deps,
    client,
    { channel, user },
    `Approved ${approved.length} of ${jobIds.length}: ${approved.join(', ') || 'none'}.` +
      (skipped.length > 0 ? ` Skipped ${skipped.length}: ${skipped.join(', ')}.` : ''),
  );
}

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approveAll, async ({ ack, body, action, client }) => {
    await ack();
    await approveAllClick(deps, client, {
      user: body.user.id,
      channel: body.channel?.id,
      value: action.value,
    });
  });
}
