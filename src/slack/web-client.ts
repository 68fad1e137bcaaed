import { LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { CALL_TIMEOUT_MS } from './outbox/outbox.js';

/**
 * @slack/web-api's logger onto ours, every line at debug: the outbox logs what matters itself, and
 * the client's own lines (request bodies with tokens redacted) are only for digging.
 */
function debugLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack-web-api' });
  const line = (...msg: unknown[]) => child.debug(msg.map(String).join(' '));
  return {
    debug: line,
    info: line,
    warn: line,
    error: line,
    setLevel: () => {},
    getLevel: () => LogLevel.DEBUG,
    setName: () => {},
  };
}

/**
 * The Web API client the outbox sends with: SLACK_API_URL as its base, a timeout per call, and no
 * waiting of its own. Left to itself, WebClient pauses its whole queue on a 429 and retries for
 * about 30 minutes; here a 429 rejects at once (`rejectRateLimitedCalls`) and nothing is retried,
 * so the outbox alone decides what waits and for how long.
 */
export function outboxWebClient(slack: Pick<Config['slack'], 'botToken' | 'apiUrl'>, log: Logger): WebClient {
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: CALL_TIMEOUT_MS,
    logger: debugLogger(log),
  });
}
