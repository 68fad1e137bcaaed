import { escapeMrkdwn } from '../src/slack/blocks/text.js';
import * as approve from './approve.js';
import type { CommandContext } from './context.js';
import * as deny from './deny.js';
import * as discover from './discover.js';
import * as health from './health.js';
import * as help from './help.js';
import * as history from './history.js';
import * as list from './list.js';
import * as pause from './pause.js';
import * as status from './status.js';
import { splitArgs, UsageError } from './support/args.js';
import { type CommandAnswer, ephemeral, type Subcommand } from './support/subcommand.js';
import * as unpause from './unpause.js';

/** Every /pitstop subcommand, in the order help lists them; a test checks it against the folder. */
export const SUBCOMMANDS: readonly Subcommand[] = [
  help,
  list,
  status,
  approve,
  deny,
  discover,
  pause,
  unpause,
  history,
  health,
];

// Usage lines hold `<node>`: Slack would read that as a link unless escaped, even between backticks.
const usageAnswer = (usage: string, why: string) =>
  ephemeral(`${escapeMrkdwn(why)}.\nUsage: \`/pitstop ${escapeMrkdwn(usage)}\``);

/**
 * Runs the text of a `/pitstop` command. Bad arguments get the usage line back; an error from the
 * running system (no such job, not allowed now) is answered as its message. Acknowledge Slack's
 * request before calling this: a sweep or a decision can take longer than Slack's 3 seconds.
 */
export async function runCommand(text: string, ctx: CommandContext): Promise<CommandAnswer> {
  let words: string[];
  try {
    words = splitArgs(text);
  } catch (error) {
    if (error instanceof UsageError) return usageAnswer('help', error.message);
    throw error;
  }
  const [first, ...args] = words;
  const subcommand = SUBCOMMANDS.find((sub) => sub.name === (first ?? 'help').toLowerCase());
  if (!subcommand) {
    return usageAnswer(
      SUBCOMMANDS.map((sub) => sub.usage).join(' | '),
      `no subcommand "${first!.slice(0, 40)}"`,
    );
  }
  try {
    return await subcommand.run(args, ctx);
  } catch (error) {
    if (error instanceof UsageError) return usageAnswer(subcommand.usage, error.message);
    const message = error instanceof Error ? error.message : String(error);
    return ephemeral(`Could not ${subcommand.name}: ${escapeMrkdwn(message)}`);
  }
}
