import { decisionOf, outcomeOf, phaseTimes } from '../src/history/format.js';
import { type HistoryRow, historyRows } from '../src/history/rows.js';
import { utc } from '../src/slack/blocks/format.js';
import { LIMITS } from '../src/slack/blocks/limits.js';
import { escapeMrkdwn, packLines } from '../src/slack/blocks/text.js';
import type { AuditRecord, CommandContext } from './context.js';
import { nodeArg, noMoreArgs } from './support/args.js';
import { type CommandAnswer, ephemeral } from './support/subcommand.js';

export const name = 'history';
export const usage = 'history <node>';
export const description = "the node's jobs and decisions, from the audit log";

/** Enough to see the last few jobs of a node; older ones are in the audit log. */
const SHOWN = 40;
/** Jobs summed up above the records (`pitstop history --node` has them all). */
const JOBS_SHOWN = 5;

/** One job as `pitstop history` has it: outcome, decision, ticket, how long each phase took. */
function jobLine(row: HistoryRow): string {
  const parts = [
    `*${escapeMrkdwn(outcomeOf(row))}*`,
    decisionOf(row),
    row.ticket && `ticket ${row.ticket}`,
    phaseTimes(row),
  ].filter((part): part is string => Boolean(part));
  return `${parts.map((part, i) => (i === 0 ? part : escapeMrkdwn(part))).join(' · ')} · \`${escapeMrkdwn(row.eventId)}\``;
}

function what(record: AuditRecord): string {
  const { action } = record;
  if (record.type === 'transition' && record.from && record.to) {
    const who = action?.by ? ` by ${escapeMrkdwn(action.by)}` : '';
    const why = action?.reason ? `: ${escapeMrkdwn(action.reason)}` : '';
    return `${record.from} → ${record.to} (${action?.type ?? '?'}${who}${why})`;
  }
  if (record.type === 'finished') return `finished: ${record.job?.outcome ?? 'unknown outcome'}`;
  return escapeMrkdwn(record.type);
}

export async function run(args: readonly string[], ctx: CommandContext): Promise<CommandAnswer> {
  const node = nodeArg(args[0]);
  noMoreArgs(args, 1);
  const records = await ctx.history(node);
  if (records.length === 0) return ephemeral(`The audit log has nothing about ${node}.`);
  const shown = records.slice(-SHOWN);
  const lines = shown.map((record) => {
    const eventId = record.eventId ?? record.job?.eventId;
    return `${utc(record.at)} · ${what(record)}${eventId ? ` · \`${escapeMrkdwn(eventId)}\`` : ''}`;
  });
  const older = records.length - shown.length;
  const jobs = historyRows(records, ctx.jobs()).slice(-JOBS_SHOWN).map(jobLine);
  return ephemeral(
    `${node}: the last ${shown.length} of ${records.length} audit records`,
    packLines(
      [...jobs, ...(older > 0 ? [`_${older} older records are in the audit log_`] : []), ...lines],
      LIMITS.blocksPerMessage,
      (left) => `… and ${left} more`,
    ),
  );
}
