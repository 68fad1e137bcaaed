import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ACTION_IDS } from '../../blocks/ids.js';
import { escapeMrkdwn } from '../../blocks/text.js';
import { ChannelId, finishedJob, JobId, refuse, tell, UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

const Click = z.object({ user: UserId, channel: ChannelId.optional(), jobId: JobId });

/**
 * Terminate instance under a kept-out verdict: one approver's request. The first click is
 * recorded and the thread says it waits for a second approver; the same person again changes
 * nothing; someone else's click performs it (the orchestrator's Terminations decide). The
 * clicker is answered in a message only they see; refusals are audited.
 */
export async function terminateClick(
  deps: ListenerDeps,
  client: WebClient,
  payload: { user: string; channel?: string; value?: string },
): Promise<void> {
  const parsed = Click.safeParse({ user: payload.user, channel: payload.channel, jobId: payload.value });
  if (!parsed.success) {
    deps.log.warn(
      { component: 'slack', issues: parsed.error.issues },
      'ignored a Terminate click Pitstop cannot read',
    );
    return;
  }
  const { user, channel, jobId } = parsed.data;
  if (!(await deps.approvers.isApprover(user))) {
    // The job is usually finished by now: the refusal names its event from the audit log.
    const job = deps.store.get(jobId) ?? (await finishedJob(deps, jobId));
    return refuse(deps, client, { user, channel, decision: 'terminate', job });
  }
  let text: string;
  try {
    text = escapeMrkdwn((await deps.orchestrator.terminate(jobId, user, 'slack')).message);
  } catch (error) {
    deps.log.error({ component: 'slack', user, jobId, err: error }, 'a Terminate click failed');
    text = `Could not ask to terminate the instance of job ${jobId}: ${escapeMrkdwn((error as Error).message)}. Nothing was terminated; try again, or \`pitstop terminate ${jobId}\`.`;
  }
  await tell(deps, client, { channel, user }, text);
}

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.terminate, async ({ ack, body, action, client }) => {
    await ack();
    await terminateClick(deps, client, {
      user: body.user.id,
      channel: body.channel?.id,
      value: action.value,
    });
  });
}
