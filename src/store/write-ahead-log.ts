import { z } from 'zod';
import { MaintenanceJob, Outcome } from '../domain/job.js';
import { AuditRecord } from './audit-log.js';
import { parseJsonLines } from './json-lines-file.js';

/** The finished-event index entry kept in the state file (the job itself goes to the audit log). */
export const FinishedEntry = z.object({ jobId: z.string(), outcome: Outcome, at: z.string() });
export type FinishedEntry = z.infer<typeof FinishedEntry>;

/** The audit records a change made, on the same line as the change, so both are durable or neither. */
const audit = z.array(AuditRecord).optional();

/**
 * One line of the write-ahead log: the whole new state of one job, so replaying a record twice
 * (after a crash between a snapshot and the log's truncation) changes nothing; or audit records
 * of no job change (a refusal, a pause). Logs written before `audit` existed read the same.
 */
export const WalRecord = z.union([
  z.object({ put: MaintenanceJob, audit }),
  z.object({ finish: z.object({ jobId: z.string(), eventId: z.string(), entry: FinishedEntry }), audit }),
  z.object({ audit: z.array(AuditRecord) }),
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
