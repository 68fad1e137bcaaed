import { escapeMrkdwn } from '../src/slack/blocks/text.js';
import { verdictReply } from '../src/slack/blocks/thread-line.js';
import type { CommandContext } from './context.js';
import { nodeArg, noMoreArgs } from './support/args.js';
import { type CommandAnswer, inChannel, refuseUnlessApprover } from './support/subcommand.js';

export const name = 'health';
export const usage = 'health <node>';
export const description =
  "run the GPU checks on a node now; the verdict follows in the answer's thread (approvers only)";

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const node = nodeArg(args[0]);
  noMoreArgs(args, 1);
  const refusal = await refuseUnlessApprover(ctx, name, args);
  if (refusal) return refusal;
  const threadReply = ctx.checkHealth(node, ctx.caller).then(
    (verdict) => verdictReply(node, verdict),
    (error: unknown) =>
      `❓ The health checks of ${node} could not run: ${escapeMrkdwn(error instanceof Error ? error.message : String(error))}`,
  );
  return {
    ...inChannel(
      `🩺 Health checks of *${node}* started by <@${ctx.caller}>; the verdict follows in this thread.`,
    ),
    threadReply,
  };
}
