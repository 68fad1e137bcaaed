import { type FileHandle, open } from 'node:fs/promises';
import { z } from 'zod';
import { MaintenanceJob, Outcome } from '../domain/job.js';
import { readIfExists } from './atomic-file.js';

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

/**
 * Reads the records of a log. The last line may be torn by a crash mid-append: its caller was
 * never told it was saved, so it is dropped. Damage anywhere else is an error.
 */
export function parseWal(text: string): WalRecord[] {
  // Whether or not the text ends in a newline, the last piece of the split is not a whole record.
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, index) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new WalCorruptError(index + 1, (error as Error).message);
      }
      const record = WalRecord.safeParse(json);
      if (!record.success) throw new WalCorruptError(index + 1, record.error.issues[0]!.message);
      return record.data;
    });
}

/** The append side of the log: one write and one fsync per group of records. */
export class WriteAheadLog {
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private size: number,
  ) {}

  static async open(path: string): Promise<{ wal: WriteAheadLog; records: WalRecord[] }> {
    const text = (await readIfExists(path)) ?? '';
    const records = parseWal(text);
    const handle = await open(path, 'a', 0o600);
    return { wal: new WriteAheadLog(path, handle, Buffer.byteLength(text)), records };
  }

  get bytes(): number {
    return this.size;
  }

  async append(records: readonly WalRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const data = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
    await this.handle.write(data);
    await this.handle.datasync();
    this.size += data.byteLength;
    return data.byteLength;
  }

  /** Empties the log once a snapshot holds everything it had. */
  async truncate(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.sync();
    this.size = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
