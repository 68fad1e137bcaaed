import { Phase } from '../src/domain/job.js';
import { jobLine } from '../src/slack/blocks/format.js';
import { LIMITS } from '../src/slack/blocks/limits.js';
import { packLines } from '../src/slack/blocks/text.js';
import type { CommandContext } from './context.js';
import { noMoreArgs, UsageError } from './support/args.js';
import { type CommandAnswer, ephemeral } from './support/subcommand.js';

export const name = 'list';
export const usage = 'list [phase]';
export const description = `the active jobs, or those in one phase (${Phase.options.filter((p) => p !== 'done').join(', ')})`;

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  noMoreArgs(args, 1);
  const wanted = args[0] === undefined ? undefined : Phase.safeParse(args[0]);
  if (wanted && !wanted.success) throw new UsageError(`"${args[0]!.slice(0, 40)}" is not a phase`);
  const jobs = ctx.jobs().filter((job) => !wanted || job.phase === wanted.data);
  const where = wanted ? ` in ${wanted.data}` : '';
  if (jobs.length === 0) return ephemeral(`No active jobs${where}.`);
  const lines = jobs.map((job) => `${jobLine(job)}\n      event \`${job.eventId}\``);
  return ephemeral(
    `${jobs.length} active jobs${where}`,
    packLines(
      lines,
      LIMITS.blocksPerMessage,
      (left) => `… and ${left} more: narrow it with /pitstop list <phase>`,
    ),
  );
}
