import type { CommandContext } from './context.js';
import { noMoreArgs } from './support/args.js';
import { type CommandAnswer, ephemeral, inChannel } from './support/subcommand.js';

export const name = 'discover';
export const usage = 'discover';
export const description = 'look for new maintenance events now instead of at the next sweep';

/** Anyone may ask: a sweep only finds what the next scheduled one would, and decides nothing. */
export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  noMoreArgs(args, 0);
  const { found, created } = await ctx.sweep();
  if (created === 0) return ephemeral(`Sweep done: ${found} events found, none new.`);
  return inChannel(
    `Sweep by <@${ctx.caller}>: ${found} events found, ${created} new, posted here for a decision.`,
  );
}
