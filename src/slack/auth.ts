import { ErrorCode, type WebClient } from '@slack/web-api';

/** Slack cannot be used as configured: start-up stops with what to do (never a token). */
export class SlackStartError extends Error {
  override readonly name = 'SlackStartError';
}

/** Who the bot token is, as auth.test answered: Bolt takes the ids instead of asking again. */
export interface BotIdentity {
  botId?: string;
  botUserId?: string;
  /** "pitstop in Acme", for the start-up log. */
  name: string;
  /** The workspace's URL (`https://acme.slack.com/`), for links to messages. */
  url?: string;
}

const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

/** `auth.test`, once at start-up: a bot token Slack refuses stops start-up here, not at the first click. */
export async function authenticate(
  client: WebClient,
  apiUrl = 'https://slack.com/api/',
): Promise<BotIdentity> {
  try {
    const answer = await client.auth.test();
    return {
      botId: answer.bot_id,
      botUserId: answer.user_id,
      name: `${answer.user ?? 'the bot'} in ${answer.team ?? 'the workspace'}`,
      ...(answer.url ? { url: answer.url } : {}),
    };
  } catch (error) {
    const coded = error as { code?: string; data?: { error?: string } };
    if (coded.code === ErrorCode.PlatformError) {
      const why = coded.data?.error ?? 'unknown_error';
      throw new SlackStartError(
        REFUSED_TOKEN.has(why)
          ? `Slack refused SLACK_BOT_TOKEN (${why}): set it to the app's Bot User OAuth Token (xoxb-…) from its Install App page, or reinstall the app for a new one`
          : `Slack's auth.test failed (${why}); check SLACK_BOT_TOKEN and the app's installation`,
      );
    }
    throw new SlackStartError(
      `cannot reach Slack's Web API at ${apiUrl} (${(error as Error).message}): check SLACK_API_URL and the network`,
    );
  }
}
