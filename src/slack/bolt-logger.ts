import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../log.js';

/**
 * Tokens, and the one-use ticket in Socket Mode's websocket URL, as they could appear inside a
 * message string the SDK builds (pino's redaction only sees object keys).
 */
const SECRETS = [/\bxox[a-z]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g, /([?&]ticket=)[^&\s"]+/g];

export function redactSecrets(text: string): string {
  return SECRETS.reduce(
    (out, pattern) =>
      out.replace(
        pattern,
        (_match, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}[redacted]`,
      ),
    text,
  );
}

const line = (parts: unknown[]) =>
  redactSecrets(
    parts
      .map((part) =>
        part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part),
      )
      .join(' '),
  );

/**
 * Bolt's, web-api's and socket-mode's log lines into our pino logger (component `slack`). Bolt
 * logs much at info that is routine for it (connections, reconnects), so its info is our debug.
 * LOG_LEVEL decides what is written: the level the SDKs set is only remembered.
 */
export function boltLogger(log: Logger): BoltLogger {
  let child = log.child({ component: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => child.debug(line(msg)),
    info: (...msg) => child.debug(line(msg)),
    warn: (...msg) => child.warn(line(msg)),
    error: (...msg) => child.error(line(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (name) => {
      child = log.child({ component: 'slack', sdk: name });
    },
  };
}
