import { readIfExists, writeFileAtomic } from '../../store/atomic-file.js';
import { GroupCommit } from '../../store/group-commit.js';
import { JsonLinesFile, parseJsonLines } from '../../store/json-lines-file.js';
import { checkOwnerOnly } from '../../store/owner-only.js';
import { JournalRecord, type OutboxEntry, type PostedMessage } from './messages.js';

export class OutboxFileError extends Error {
  override readonly name = 'OutboxFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      `${file}: ${problem}. Pitstop did not start and has not touched the file. ` +
        'Move it aside to start with an empty Slack outbox (the Slack messages not yet sent in it are then lost; the jobs are not).',
    );
  }
}

/** What a journal held when it was opened: the entries not yet sent, oldest first, and the posted messages. */
export interface JournalState {
  entries: OutboxEntry[];
  posted: Map<string, PostedMessage>;
}

/**
 * The outbox's durable half: a JSON-lines file of `add` / `done` / `posted` records beside the
 * state file. Records that arrive together share one append and one fsync; replay is idempotent
 * (entries by seq, messages by job), so a record written twice changes nothing. Once the file
 * outgrows both `compactAtBytes` and its last compacted size, it is rewritten atomically from
 * `snapshot()`: what is still to send, and where the jobs' messages are.
 */
export class OutboxJournal {
  private readonly buffer: JournalRecord[] = [];
  private readonly committer = new GroupCommit(() => this.flush());
  private compactedBytes = 0;

  private constructor(
    readonly path: string,
    private file: JsonLinesFile,
    private readonly snapshot: () => JournalRecord[],
    private readonly compactAtBytes: number,
  ) {}

  static async open(
    path: string,
    snapshot: () => JournalRecord[],
    compactAtBytes = 1 << 20,
  ): Promise<{ journal: OutboxJournal; state: JournalState; warning: string | undefined }> {
    // Refused (LooseModeError) when another user may change it: they could make Pitstop post anything.
    const warning = await checkOwnerOnly(path, 'file');
    let text: string | undefined;
    try {
      text = await readIfExists(path);
    } catch (error) {
      throw new OutboxFileError(path, `cannot read the Slack outbox (${(error as Error).message})`);
    }
    const records = parseJsonLines(
      text ?? '',
      JournalRecord,
      (line, problem) =>
        new OutboxFileError(path, `line ${line} of the Slack outbox is damaged (${problem})`),
    );
    const journal = new OutboxJournal(path, await JsonLinesFile.open(path), snapshot, compactAtBytes);
    return { journal, state: replay(records), warning };
  }

  /** Durable once it resolves. */
  write(records: readonly JournalRecord[]): Promise<void> {
    this.buffer.push(...records);
    return this.committer.commit();
  }

  async close(): Promise<void> {
    await this.committer.idle();
    await this.file.close();
  }

  private async flush(): Promise<void> {
    await this.file.append(this.buffer.splice(0));
    if (this.file.bytes > Math.max(this.compactAtBytes, this.compactedBytes)) await this.compact();
  }

  /** The rename replaces the file the handle writes to, so the handle is opened again on the new one. */
  private async compact(): Promise<void> {
    const text = this.snapshot()
      .map((record) => `${JSON.stringify(record)}\n`)
      .join('');
    this.compactedBytes = await writeFileAtomic(this.path, text);
    await this.file.close();
    this.file = await JsonLinesFile.open(this.path);
  }
}

function replay(records: readonly JournalRecord[]): JournalState {
  const entries = new Map<number, OutboxEntry>();
  const posted = new Map<string, PostedMessage>();
  for (const record of records) {
    if ('add' in record) entries.set(record.add.seq, record.add);
    else if ('done' in record) entries.delete(record.done);
    else posted.set(record.posted.jobId, record.posted);
  }
  return { entries: [...entries.values()].sort((a, b) => a.seq - b.seq), posted };
}
