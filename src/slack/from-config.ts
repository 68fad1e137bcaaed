import { ErrorCode } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Clock, Cloud, Cluster, Store } from '../ports.js';
import { SlackNotifier } from './notifier.js';
import { Outbox } from './outbox/outbox.js';
import { outboxWebClient } from './web-client.js';

/** Slack cannot be used as configured: start-up stops with what to do (never a token). */
export class SlackStartError extends Error {
  override readonly name = 'SlackStartError';
}

export interface SlackDelivery {
  notifier: SlackNotifier;
  outbox: Outbox;
  /** Finishes the call in flight; what is left waits in the outbox for the next start. */
  stop(): Promise<void>;
}

const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

/** `auth.test`: the token is the bot's and Slack takes it, or start-up stops here. */
async function checkBotToken(client: ReturnType<typeof outboxWebClient>, apiUrl: string): Promise<string> {
  try {
    const answer = await client.auth.test();
    return `${answer.user ?? 'the bot'} in ${answer.team ?? 'the workspace'}`;
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

/**
 * With SLACK_BOT_TOKEN set: the SlackNotifier over a started outbox whose journal lies beside the
 * state file (under its lock), once `auth.test` accepted the token. Without it: undefined (headless).
 */
export async function slackNotifierFromConfig(
  config: Config,
  ports: {
    cloud: Pick<Cloud, 'getInstance'>;
    cluster: Pick<Cluster, 'status' | 'slurmJobsOn'>;
    clock: Clock;
  },
  store: Pick<Store, 'get' | 'annotate'>,
  log: Logger,
): Promise<SlackDelivery | undefined> {
  const { slack } = config;
  if (!slack.botToken || !slack.channel) return undefined;
  const client = outboxWebClient(slack, log);
  const who = await checkBotToken(client, slack.apiUrl ?? 'https://slack.com/api/');
  const outbox = await Outbox.open({
    client,
    file: `${config.store.stateFile}.outbox`,
    store,
    clock: ports.clock,
    log,
  });
  outbox.start();
  log.info({ component: 'slack', channel: slack.channel }, `Slack: posting as ${who} to ${slack.channel}`);
  const notifier = new SlackNotifier({
    outbox,
    channel: slack.channel,
    cloud: ports.cloud,
    cluster: ports.cluster,
    log,
    digestThreshold: slack.digestThreshold,
  });
  return { notifier, outbox, stop: () => outbox.stop() };
}
