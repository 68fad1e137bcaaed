import type { CommandContext } from './context.js';
import { reasonArg, refArg } from './support/args.js';
import { decisionAnswer } from './support/decision.js';
import { type CommandAnswer, refuseUnlessApprover } from './support/subcommand.js';

export const name = 'deny';
export const usage = 'deny <event|node> [reason]';
export const description = 'deny an event: Pitstop leaves the node alone (approvers only)';

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const ref = refArg(args[0]);
  const reason = reasonArg(args.slice(1));
  const refusal = await refuseUnlessApprover(ctx, name, args);
  if (refusal) return refusal;
  return decisionAnswer(await ctx.decide(ref, { type: 'deny', by: ctx.caller, via: 'slack', reason }));
}
