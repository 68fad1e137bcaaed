import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { historyCsv, historyJson, historyTable } from '../history/format.js';
import { historyRows, lastActivity } from '../history/rows.js';
import { scanAudit } from '../store/audit-reader.js';
import { JobStore } from '../store/job-store.js';
import { CliError } from './errors.js';

const FORMATS = { table: historyTable, csv: historyCsv, json: historyJson } as const;
type Format = keyof typeof FORMATS;

/** An ISO 8601 date (midnight UTC) or date and time (with no zone: local time, as JavaScript reads it). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function sinceOf(value: string): number {
  const at = ISO.test(value) ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new CliError(
      `--since ${JSON.stringify(value)}: expected an ISO date or date and time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z`,
    );
  }
  return at;
}

interface HistoryOptions {
  node?: string;
  since?: string;
  format: string;
}

/**
 * Reads only: the audit log (it only grows; a torn last line is skipped) and the state file as
 * `list` reads it. Neither takes the lock, so it runs beside a running `serve`.
 */
async function history(options: HistoryOptions): Promise<void> {
  if (!(options.format in FORMATS)) {
    throw new CliError(`--format ${JSON.stringify(options.format)}: expected table, csv or json`);
  }
  const since = options.since === undefined ? undefined : sinceOf(options.since);
  const config = loadConfig();
  const { auditFile, stateFile } = config.store;
  const records = await scanAudit(auditFile, (record) => {
    const node = (record as { node?: unknown }).node;
    return options.node === undefined || node === undefined || node === options.node;
  });
  const active = Object.values((await JobStore.read(stateFile)).jobs);
  const rows = historyRows(records, active).filter(
    (row) =>
      (options.node === undefined || row.node === options.node) &&
      (since === undefined || Date.parse(lastActivity(row)) >= since),
  );
  if (rows.length === 0 && options.format === 'table') {
    process.stdout.write(
      `no jobs in ${auditFile}${options.node ? ` for ${options.node}` : ''}${options.since ? ` since ${options.since}` : ''}\n`,
    );
    return;
  }
  process.stdout.write(FORMATS[options.format as Format](rows));
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description(
      'one row per job from the audit log (AUDIT_FILE): node, event, fault, decision, each phase, outcome; running jobs too',
    )
    .option('--node <node>', 'only the jobs of this Slurm node')
    .option('--since <date>', 'only jobs with anything done at or after this ISO date or date and time')
    .option('--format <format>', 'table (for people), csv (RFC 4180) or json', 'table')
    .action((options: HistoryOptions) => history(options));
}
