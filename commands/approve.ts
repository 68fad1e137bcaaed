import type { CommandContext } from './context.js';
import { noMoreArgs, refArg } from './support/args.js';
import { decisionAnswer } from './support/decision.js';
import { type CommandAnswer, refuseUnlessApprover } from './support/subcommand.js';

export const name = 'approve';
export const usage = 'approve <event|node>';
export const description =
  'approve an event: Pitstop drains the node and runs the maintenance (approvers only)';

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const ref = refArg(args[0]);
  noMoreArgs(args, 1);
  const refusal = await refuseUnlessApprover(ctx, name, args);
  if (refusal) return refusal;
  return decisionAnswer(await ctx.decide(ref, { type: 'approve', by: ctx.caller, via: 'slack' }));
}
