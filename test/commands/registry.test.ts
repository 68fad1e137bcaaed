import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand, SUBCOMMANDS } from '../../commands/index.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';
import { fakeContext } from './fake-context.js';

const folder = new URL('../../commands/', import.meta.url);
/** Everything in commands/ that is not a subcommand: the list itself and the context it is given. */
const NOT_SUBCOMMANDS = ['index.ts', 'context.ts'];

describe('the /pitstop subcommands', () => {
  const files = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !NOT_SUBCOMMANDS.includes(entry.name))
    .map((entry) => entry.name.replace(/\.ts$/, ''));

  it('index.ts lists exactly the modules in the folder, each named as its file', () => {
    expect(SUBCOMMANDS.map((sub) => sub.name).sort()).toEqual([...files].sort());
  });

  it("manifest.yml's usage hint lists exactly these, with their usage", () => {
    const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
    const hint = /^\s+usage_hint: "(.*)"$/m.exec(manifest)?.[1];
    expect(hint).toBe(SUBCOMMANDS.map((sub) => sub.usage).join(' | '));
    // Slack's manifest schema (slackapi/manifest-schema) allows a usage hint of 1 to 1000 characters.
    expect(hint!.length).toBeLessThanOrEqual(1000);
    for (const file of files) expect(hint).toMatch(new RegExp(`(^|\\| )${file}\\b`));
  });

  it('help lists every one of them, and nothing else', async () => {
    const answer = await runCommand('help', fakeContext({}).ctx);
    const lines = answer.text.split('\n').filter((line) => line.startsWith('• '));
    expect(lines).toEqual(
      SUBCOMMANDS.map((sub) => `• \`/pitstop ${escapeMrkdwn(sub.usage)}\` — ${sub.description}`),
    );
    expect(answer.text).not.toMatch(/<[^@]/);
    expect(lines.map((line) => /^• `\/pitstop (\w+)/.exec(line)?.[1]).sort()).toEqual([...files].sort());
    expect(answer.response_type).toBe('ephemeral');
  });

  it('gives one usage line and a description per subcommand', () => {
    for (const sub of SUBCOMMANDS) {
      expect(sub.usage.startsWith(sub.name)).toBe(true);
      expect(sub.usage).not.toContain('\n');
      expect(sub.description.length).toBeGreaterThan(0);
    }
  });
});
