import { Phase } from '../domain/job.js';
import { formatDuration } from '../poll.js';
import type { HistoryRow } from './rows.js';

/** The phases a job spends time in, in order: each gets a start and an end column in CSV. */
const PHASES = Phase.options.filter((phase) => phase !== 'done');

const CSV_HEADER = [
  'job_id',
  'event_id',
  'node',
  'fault',
  'decision',
  'approver',
  'outcome',
  'phase',
  'created',
  'finished',
  'ticket',
  ...PHASES.flatMap((phase) => [`${phase}_start`, `${phase}_end`]),
];

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
const csvField = (value: string | undefined) =>
  value === undefined ? '' : /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** RFC 4180: a header line, one record per job, every line ended by CRLF. */
export function historyCsv(rows: readonly HistoryRow[]): string {
  const lines = [CSV_HEADER, ...rows.map(csvRecord)].map((fields) => fields.map(csvField).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}

function csvRecord(row: HistoryRow): (string | undefined)[] {
  const span = (phase: Phase) => row.phases.find((p) => p.phase === phase);
  return [
    row.jobId,
    row.eventId,
    row.node,
    row.fault,
    row.decision,
    row.approver,
    row.outcome,
    row.phase,
    row.created,
    row.finished,
    row.ticket,
    ...PHASES.flatMap((phase) => [span(phase)?.start, span(phase)?.end]),
  ];
}

/** `kept_out`, or `running (health)` for a job not finished yet. */
export const outcomeOf = (row: HistoryRow) =>
  row.outcome === 'running' ? `running (${row.phase})` : row.outcome;

export const decisionOf = (row: HistoryRow) =>
  row.decision ? `${row.decision} by ${row.approver ?? '?'}` : undefined;

export const historyJson = (rows: readonly HistoryRow[]) => `${JSON.stringify(rows, null, 2)}\n`;

/** How long each phase took, for people: `draining 5m, scheduling 10s, maintenance since …`. */
export function phaseTimes(row: HistoryRow): string {
  return row.phases
    .map((span) =>
      span.end
        ? `${span.phase} ${formatDuration(Date.parse(span.end) - Date.parse(span.start))}`
        : row.outcome === 'running'
          ? `${span.phase} since ${span.start}`
          : span.phase,
    )
    .join(', ');
}

/** For people: aligned columns, the event last (OCIDs are long), then each job's phases on its own line. */
export function historyTable(rows: readonly HistoryRow[]): string {
  const header = ['CREATED', 'NODE', 'OUTCOME', 'DECISION', 'FAULT', 'TICKET', 'EVENT'];
  const cells = rows.map((row) => [
    row.created,
    row.node ?? '(unmapped)',
    outcomeOf(row),
    decisionOf(row) ?? '-',
    row.fault ?? '-',
    row.ticket ?? '-',
    row.eventId,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i]!.length)));
  const line = (fields: string[]) =>
    fields
      .map((field, i) => (i === fields.length - 1 ? field : field.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.flatMap((fields, i) => [line(fields), `    ${phaseTimes(rows[i]!)}`])]
    .map((l) => `${l}\n`)
    .join('');
}
