import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Clock, Cloud, Cluster, Store } from '../ports.js';
import { authenticate, type BotIdentity } from './auth.js';
import { SlackNotifier } from './notifier.js';
import { Outbox } from './outbox/outbox.js';
import { outboxWebClient } from './web-client.js';

export interface SlackDelivery {
  notifier: SlackNotifier;
  outbox: Outbox;
  /** Who the token is: the Bolt app takes it rather than asking Slack again. */
  identity: BotIdentity;
  /** Finishes the call in flight; what is left waits in the outbox for the next start. */
  stop(): Promise<void>;
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
  const identity = await authenticate(client, slack.apiUrl);
  const outbox = await Outbox.open({
    client,
    file: `${config.store.stateFile}.outbox`,
    store,
    clock: ports.clock,
    log,
  });
  outbox.start();
  log.info(
    { component: 'slack', channel: slack.channel },
    `Slack: posting as ${identity.name} to ${slack.channel}`,
  );
  const notifier = new SlackNotifier({
    outbox,
    channel: slack.channel,
    cloud: ports.cloud,
    cluster: ports.cluster,
    log,
    digestThreshold: slack.digestThreshold,
    offerTerminate: config.pipeline.triageTerminate,
  });
  return { notifier, outbox, identity, stop: () => outbox.stop() };
}
