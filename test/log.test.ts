import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

const secrets = {
  SLACK_BOT_TOKEN: 'xoxb-111-222-secretbot',
  SLACK_APP_TOKEN: 'xapp-1-A1-secretapp',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  SLACK_CHANNEL: 'C0123',
};

describe('log redaction', () => {
  it('keeps Slack secrets out of a logged config', () => {
    const { logger, text } = capture();
    const config = loadConfig(secrets);
    logger.info({ config }, 'starting');
    logger.info({ slack: config.slack }, 'slack settings');
    logger.info(config.slack, 'flat');
    for (const value of Object.values(secrets).slice(0, 3)) expect(text()).not.toContain(value);
    expect(text()).toContain('[redacted]');
    expect(text()).toContain('C0123');
  });

  it('keeps raw environment values and auth headers out', () => {
    const { logger, text } = capture();
    logger.info(
      { env: secrets, headers: { authorization: 'Signature keyId="x",signature="abc"' } },
      'request',
    );
    expect(text()).not.toContain('secretbot');
    expect(text()).not.toContain('signature="abc"');
  });
});
