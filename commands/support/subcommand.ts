import type { types } from '@slack/bolt';
import type { CommandContext } from '../context.js';

/**
 * What a subcommand answers, in the fields Bolt's `respond()` takes. Ephemeral unless it changed
 * something the channel should know about.
 */
export interface CommandAnswer {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: types.KnownBlock[];
  /**
   * A reply to post in the answer's thread once it is ready (health checks take minutes, longer
   * than Slack waits for an answer). It never rejects: a failure is its own text.
   */
  threadReply?: Promise<string>;
}

/** One `/pitstop` subcommand: each module in commands/ exports these four. */
export interface Subcommand {
  name: string;
  /** One line, after `/pitstop`: `deny <event|node> [reason]`. */
  usage: string;
  description: string;
  run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer>;
}

export const ephemeral = (text: string, blocks?: types.KnownBlock[]): CommandAnswer => ({
  response_type: 'ephemeral',
  text,
  ...(blocks ? { blocks } : {}),
});

export const inChannel = (text: string): CommandAnswer => ({ response_type: 'in_channel', text });

/**
 * The answer to someone who may not do `subcommand`, after the attempt is audited; undefined
 * when the caller is an approver.
 */
export async function refuseUnlessApprover(
  ctx: CommandContext,
  subcommand: string,
  args: readonly string[],
): Promise<CommandAnswer | undefined> {
  if (await ctx.isApprover(ctx.caller)) return undefined;
  await ctx.auditRefusal({ by: ctx.caller, subcommand, args });
  return ephemeral(
    `Only Pitstop's approvers (SLACK_APPROVERS) may ${subcommand}; ask one of them, or ask to be added.`,
  );
}
