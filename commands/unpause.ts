import type { CommandContext } from './context.js';
import { noMoreArgs } from './support/args.js';
import { type CommandAnswer, ephemeral, inChannel, refuseUnlessApprover } from './support/subcommand.js';

export const name = 'unpause';
export const usage = 'unpause';
export const description = 'start approved jobs again (approvers only)';

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  noMoreArgs(args, 0);
  const refusal = await refuseUnlessApprover(ctx, name, args);
  if (refusal) return refusal;
  if (!ctx.paused()) return ephemeral('Pitstop is not paused.');
  await ctx.unpause(ctx.caller);
  return inChannel(`▶️ Unpaused by <@${ctx.caller}>: approved jobs start again as capacity allows.`);
}
