import { faultLabel } from '../src/domain/event.js';
import { decisionLine, utc } from '../src/slack/blocks/format.js';
import { progressLine } from '../src/slack/blocks/progress.js';
import { escapeMrkdwn } from '../src/slack/blocks/text.js';
import type { CommandContext } from './context.js';
import { noMoreArgs, refArg } from './support/args.js';
import { type CommandAnswer, ephemeral } from './support/subcommand.js';

export const name = 'status';
export const usage = 'status <node|event>';
export const description = "where a node's or event's job stands";

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const ref = refArg(args[0]);
  noMoreArgs(args, 1);
  const job = ctx.findJob(ref);
  const lines = [
    `*${escapeMrkdwn(job.node ?? 'unmapped instance')}* — event \`${job.eventId}\` (${escapeMrkdwn(faultLabel(job.event))})`,
    progressLine(job) ?? job.phase.replace('_', ' '),
    decisionLine(job),
    `Window start ${utc(job.event.timeWindowStart)}, hard due date ${utc(job.event.timeHardDueDate)}`,
    job.reason ? `Why: ${escapeMrkdwn(job.reason)}` : undefined,
  ];
  return ephemeral(lines.filter((line) => line !== undefined).join('\n'));
}
