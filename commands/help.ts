import { escapeMrkdwn } from '../src/slack/blocks/text.js';
import { SUBCOMMANDS } from './index.js';
import type { CommandAnswer } from './support/subcommand.js';
import { ephemeral } from './support/subcommand.js';

export const name = 'help';
export const usage = 'help';
export const description = 'what each /pitstop subcommand does';

/** Every subcommand's usage line and what it does (the list lives in index.ts, read when run). */
export async function run(): Promise<CommandAnswer> {
  const lines = SUBCOMMANDS.map((sub) => `• \`/pitstop ${escapeMrkdwn(sub.usage)}\` — ${sub.description}`);
  return ephemeral(['*Pitstop commands*', ...lines].join('\n'));
}
