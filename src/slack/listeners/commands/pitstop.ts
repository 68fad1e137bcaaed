import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { runCommand } from '../../../../commands/index.js';
import type { CommandAnswer } from '../../../../commands/support/subcommand.js';
import { commandContext } from '../../command-context.js';
import { ChannelId, UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

export const COMMAND = '/pitstop';

const Invocation = z.object({ user: UserId, channel: ChannelId, text: z.string() });

/**
 * An answer with a reply to come (health checks take minutes): the answer is posted in the
 * channel so the reply can go into its thread. Where the bot may not post, both go back through
 * response_url instead, one after the other.
 */
async function answerWithThread(
  deps: ListenerDeps,
  client: WebClient,
  respond: RespondFn,
  channel: string,
  answer: CommandAnswer & { threadReply: Promise<string> },
): Promise<void> {
  let ts: string | undefined;
  try {
    ts = (await client.chat.postMessage({ channel, text: answer.text })).ts;
  } catch (error) {
    deps.log.warn(
      { component: 'slack', channel, err: error },
      `cannot post in ${channel}; answering through response_url`,
    );
    await respond({ response_type: answer.response_type, text: answer.text });
  }
  const reply = await answer.threadReply;
  if (ts) await client.chat.postMessage({ channel, thread_ts: ts, text: reply });
  else await respond({ response_type: answer.response_type, text: reply });
}

/**
 * `/pitstop <subcommand>`: acknowledged at once (a sweep or a decision can outlast Slack's 3 s),
 * then answered through response_url — ephemeral unless it changed something.
 */
export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, async ({ ack, command, respond, client }) => {
    await ack();
    const parsed = Invocation.safeParse({
      user: command.user_id,
      channel: command.channel_id,
      text: command.text,
    });
    if (!parsed.success) {
      deps.log.warn(
        { component: 'slack', issues: parsed.error.issues },
        `ignored a ${COMMAND} Pitstop cannot read`,
      );
      return;
    }
    const { user, channel, text } = parsed.data;
    const answer = await runCommand(text, commandContext(deps, user));
    const { threadReply, ...message } = answer;
    if (threadReply) await answerWithThread(deps, client, respond, channel, { ...message, threadReply });
    else await respond(message);
  });
}
