import { type DestinationStream, type Logger, pino } from 'pino';

const SECRET_KEYS = [
  'botToken',
  'appToken',
  'signingSecret',
  'token',
  'authorization',
  'privateKey',
  'passphrase',
  // Webhook URLs may carry their token in the path or the query.
  'ticketWebhookUrl',
  'bookkeepingWebhookUrl',
];
const SECRET_VARS = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'TICKET_WEBHOOK_URL',
  'BOOKKEEPING_WEBHOOK_URL',
];

/**
 * pino's redaction matches fixed paths (one `*` per level), so the secrets are listed at the
 * depths where they occur: top level, inside one object (`slack.botToken`), and inside the
 * whole config (`config.slack.botToken`) or an HTTP request's headers.
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...SECRET_VARS.flatMap((name) => [name, `*.${name}`]),
  'headers.authorization',
  '*.headers.authorization',
  'req.headers["x-slack-signature"]',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    { level, base: { app: 'pitstop' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
