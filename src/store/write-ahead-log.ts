import { z } from 'zod';
import { MaintenanceJob, Outcome } from '../domain/job.js';
import { readIfExists } from './atomic-file.js';
import { JsonLinesFile, parseJsonLines } from './json-lines-file.js';

/** The finished-event index entry kept in the state file (the job itself goes to the audit log). */
export const FinishedEntry = z.object({ jobId: z.string(), outcome: Outcome, at: z.string() });
export type FinishedEntry = z.infer<typeof FinishedEntry>;

/**
 * One line of the write-ahead log: the whole new state of one job, so replaying a record twice
 * (after a crash between a snapshot and the log's truncation) changes nothing.
 */
export const WalRecord = z.union([
  z.object({ put: MaintenanceJob }),
  z.object({ finish: z.object({ jobId: z.string(), eventId: z.string(), entry: FinishedEntry }) }),
]);
export type WalRecord = z.infer<typeof WalRecord>;

export class WalCorruptError extends Error {
  override readonly name = 'WalCorruptError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line} of the write-ahead log is damaged (${problem})`);
  }
}

/** Reads the records of a log (a torn last line, from a crash mid-append, is dropped). */
export const parseWal = (text: string): WalRecord[] =>
  parseJsonLines(text, WalRecord, (line, problem) => new WalCorruptError(line, problem));

/** Opens the log for appending, with the records it already holds (to replay). */
export async function openWriteAheadLog(path: string): Promise<{ wal: JsonLinesFile; records: WalRecord[] }> {
  const records = parseWal((await readIfExists(path)) ?? '');
  return { wal: await JsonLinesFile.open(path), records };
}
