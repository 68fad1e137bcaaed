import { escapeMrkdwn } from '../src/slack/blocks/text.js';
import type { CommandContext } from './context.js';
import { reasonArg } from './support/args.js';
import { type CommandAnswer, inChannel, refuseUnlessApprover } from './support/subcommand.js';

export const name = 'pause';
export const usage = 'pause [reason]';
export const description = 'start no new jobs until unpaused; running ones finish (approvers only)';

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const reason = reasonArg(args);
  const refusal = await refuseUnlessApprover(ctx, name, args);
  if (refusal) return refusal;
  await ctx.pause(ctx.caller, reason);
  return inChannel(
    `⏸️ Paused by <@${ctx.caller}>${reason ? `: ${escapeMrkdwn(reason)}` : ''}. Running jobs finish; no new job starts until \`/pitstop unpause\`.`,
  );
}
