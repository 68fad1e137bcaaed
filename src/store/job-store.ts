import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Adapter, Low } from 'lowdb';
import { z } from 'zod';
import { type JobAction, MaintenanceJob, transition } from '../domain/job.js';
import type { PauseState } from '../domain/pause.js';
import type { AuditEntry, Clock, Store } from '../ports.js';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import { GroupCommit } from './group-commit.js';
import { JsonLinesFile } from './json-lines-file.js';
import { PauseFile } from './pause-file.js';
import { acquireStateLock } from './state-lock.js';
import {
  FinishedEntry,
  openWriteAheadLog,
  parseWal,
  WalCorruptError,
  type WalRecord,
} from './write-ahead-log.js';

export const SCHEMA_VERSION = 1;

/** The live state file: active jobs, and a small index of finished events (their jobs are in the audit log). */
export const StateFile = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  jobs: z.record(z.string(), MaintenanceJob),
  finished: z.record(z.string(), FinishedEntry),
});
export type StateFile = z.infer<typeof StateFile>;

const emptyState = (): StateFile => ({ schemaVersion: SCHEMA_VERSION, jobs: {}, finished: {} });

export class StoreFileError extends Error {
  override readonly name = 'StoreFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      `${file}: ${problem}. Pitstop did not start and has not touched the file. ` +
        'Restore it from a backup, or move it aside to start with no jobs (the audit log keeps the history).',
    );
  }
}

export class DuplicateEventError extends Error {
  override readonly name = 'DuplicateEventError';
  constructor(readonly eventId: string) {
    super(`event ${eventId} already has a job; Pitstop never acts twice on one event`);
  }
}

export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
  constructor(readonly jobId: string) {
    super(`no active job ${jobId} (finished jobs are in the audit log)`);
  }
}

export interface StoreStats {
  /** Group commits: each carries every change made since the previous one, with one fsync per file. */
  writes: number;
  /** Snapshots of the whole state written (at start-up and when the log has grown). */
  snapshots: number;
  /** Bytes appended to the write-ahead log plus bytes of snapshots. */
  stateBytes: number;
  auditBytes: number;
}

/** lowdb adapter: zod-validated reads, atomic durable writes. */
class ValidatedStateFile implements Adapter<StateFile> {
  bytesWritten = 0;
  lastSnapshotBytes = 0;
  constructor(readonly path: string) {}

  async read(): Promise<StateFile | null> {
    let text: string | undefined;
    try {
      text = await readIfExists(this.path);
    } catch (error) {
      throw new StoreFileError(this.path, `cannot read the state file (${(error as Error).message})`);
    }
    if (text === undefined) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new StoreFileError(this.path, `the state file is not valid JSON (${(error as Error).message})`);
    }
    const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new StoreFileError(this.path, `schema version ${version} was written by a newer Pitstop`);
    }
    const parsed = StateFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new StoreFileError(
        this.path,
        `the state file does not match schema version ${SCHEMA_VERSION} (at ${issue.path.join('.') || 'top level'}: ${issue.message})`,
      );
    }
    return parsed.data;
  }

  async write(data: StateFile): Promise<void> {
    this.lastSnapshotBytes = await writeFileAtomic(this.path, JSON.stringify(data));
    this.bytesWritten += this.lastSnapshotBytes;
  }
}

export interface JobStoreOptions {
  stateFile: string;
  auditFile: string;
  clock: Clock;
  /** Take the exclusive lock beside the state file (every process that may act on jobs must). */
  lock?: boolean;
  /**
   * Fold the log into a new snapshot once it is larger than both this and the last snapshot,
   * so the snapshot's cost is spread over at least as many bytes of small appends.
   */
  compactAtBytes?: number;
}

/**
 * The jobs: a lowdb JSON snapshot plus a write-ahead log beside it (`<state file>.wal`), so a
 * change costs one small append instead of rewriting every job. Every change is durable (log
 * and an audit line per transition, fsynced) before the call that made it resolves; changes that
 * arrive together share one write. The log is folded into a new snapshot (written atomically) at
 * start-up and whenever it outgrows the snapshot. Finished jobs leave the live state for the
 * append-only audit log.
 */
export class JobStore implements Store {
  private readonly pendingAudit: object[] = [];
  /** The newest record per job since the last commit: a job changed twice in a group is logged once. */
  private readonly pendingWal = new Map<string, WalRecord>();
  private readonly committer = new GroupCommit(() => this.flush());
  private broken: Error | undefined;
  private writes = 0;
  private snapshots = 0;
  private walBytes = 0;
  private auditBytes = 0;

  private constructor(
    private readonly db: Low<StateFile>,
    private readonly adapter: ValidatedStateFile,
    private readonly wal: JsonLinesFile,
    private readonly audit: JsonLinesFile,
    private readonly clock: Clock,
    private readonly unlock: () => Promise<void>,
    private readonly compactAtBytes: number,
    private readonly pause: PauseFile,
  ) {}

  static async open(options: JobStoreOptions): Promise<JobStore> {
    await mkdir(dirname(options.stateFile), { recursive: true });
    await mkdir(dirname(options.auditFile), { recursive: true });
    const unlock =
      options.lock === false ? async () => {} : await acquireStateLock(`${options.stateFile}.lock`);
    try {
      const adapter = new ValidatedStateFile(options.stateFile);
      const db = new Low<StateFile>(adapter, emptyState());
      await db.read();
      const { wal, records } = await openWal(`${options.stateFile}.wal`);
      for (const record of records) replay(db.data, record);
      const audit = await JsonLinesFile.open(options.auditFile);
      const pause = await PauseFile.open(pauseFileOf(options.stateFile));
      const store = new JobStore(
        db,
        adapter,
        wal,
        audit,
        options.clock,
        unlock,
        options.compactAtBytes ?? 1 << 20,
        pause,
      );
      await store.archiveFinished();
      await store.snapshot();
      return store;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  /** Reads the state without locking or changing it (for `pitstop list` beside a running bot). */
  static async read(stateFile: string): Promise<StateFile> {
    const state = (await new ValidatedStateFile(stateFile).read()) ?? emptyState();
    const walFile = `${stateFile}.wal`;
    let text: string | undefined;
    try {
      text = await readIfExists(walFile);
    } catch (error) {
      throw new StoreFileError(walFile, `cannot read the write-ahead log (${(error as Error).message})`);
    }
    for (const record of parseWalOrExplain(walFile, text ?? '')) replay(state, record);
    return state;
  }

  get(jobId: string): MaintenanceJob | undefined {
    return this.db.data.jobs[jobId];
  }

  findByEvent(eventId: string): MaintenanceJob | undefined {
    return Object.values(this.db.data.jobs).find((job) => job.eventId === eventId);
  }

  knowsEvent(eventId: string): boolean {
    return eventId in this.db.data.finished || this.findByEvent(eventId) !== undefined;
  }

  list(): MaintenanceJob[] {
    return Object.values(this.db.data.jobs);
  }

  async create(job: MaintenanceJob): Promise<MaintenanceJob> {
    this.assertWritable();
    const valid = Object.freeze(MaintenanceJob.parse(job));
    if (this.knowsEvent(valid.eventId)) throw new DuplicateEventError(valid.eventId);
    this.put(valid);
    this.record({
      type: 'created',
      jobId: valid.id,
      eventId: valid.eventId,
      node: valid.node,
      at: valid.createdAt,
    });
    await this.commit();
    return valid;
  }

  async apply(jobId: string, action: JobAction): Promise<MaintenanceJob> {
    this.assertWritable();
    const job = this.db.data.jobs[jobId];
    if (!job) throw new UnknownJobError(jobId);
    const next = Object.freeze(transition(job, action, this.clock.now()));
    const last = next.history.at(-1)!;
    this.record({
      type: 'transition',
      jobId,
      eventId: next.eventId,
      node: next.node,
      at: last.at,
      from: last.from,
      to: last.to,
      action,
    });
    if (next.phase === 'done') this.finish(next);
    else this.put(next);
    await this.commit();
    return next;
  }

  async annotate(
    jobId: string,
    patch: Partial<
      Pick<MaintenanceJob, 'node' | 'slack' | 'announcedAt' | 'event' | 'eventReadAt' | 'reason'>
    >,
  ): Promise<MaintenanceJob> {
    this.assertWritable();
    const job = this.db.data.jobs[jobId];
    if (!job) throw new UnknownJobError(jobId);
    const next = Object.freeze(
      MaintenanceJob.parse({
        ...job,
        ...patch,
        updatedAt: this.clock.now().toISOString(),
        version: job.version + 1,
      }),
    );
    this.put(next);
    await this.commit();
    return next;
  }

  async writeAudit(entry: AuditEntry): Promise<void> {
    this.assertWritable();
    this.record({ ...entry, at: this.clock.now().toISOString() });
    await this.commit();
  }

  paused(): PauseState | undefined {
    return this.pause.get();
  }

  async setPaused(state: PauseState | undefined): Promise<void> {
    this.assertWritable();
    await this.pause.set(state);
  }

  /** The audit log's path, for readers (`history`, the Home tab's last outcomes). */
  get auditFile(): string {
    return this.audit.path;
  }

  stats(): StoreStats {
    return {
      writes: this.writes,
      snapshots: this.snapshots,
      stateBytes: this.walBytes + this.adapter.bytesWritten,
      auditBytes: this.auditBytes,
    };
  }

  async close(): Promise<void> {
    await this.committer.idle();
    await this.wal.close();
    await this.audit.close();
    await this.unlock();
  }

  private put(job: MaintenanceJob) {
    this.db.data.jobs[job.id] = job;
    this.pendingWal.set(job.id, { put: job });
  }

  private finish(job: MaintenanceJob) {
    const entry = { jobId: job.id, outcome: job.outcome!, at: job.updatedAt };
    delete this.db.data.jobs[job.id];
    this.db.data.finished[job.eventId] = entry;
    this.pendingWal.set(job.id, { finish: { jobId: job.id, eventId: job.eventId, entry } });
    // The fields every record carries (DESIGN: jobId, eventId, node, at), then the whole job.
    this.record({
      type: 'finished',
      jobId: job.id,
      eventId: job.eventId,
      node: job.node,
      at: job.updatedAt,
      outcome: job.outcome,
      job,
    });
  }

  /** A job can be left `done` in the live state by an older Pitstop or a crash; archive it now. */
  private async archiveFinished() {
    const done = Object.values(this.db.data.jobs).filter((job) => job.phase === 'done');
    if (done.length === 0) return;
    for (const job of done) this.finish(job);
    await this.commit();
  }

  /** Folds the log into a new snapshot; the snapshot is durable before the log is emptied. */
  private async snapshot() {
    await this.db.write();
    await this.wal.truncate();
    this.snapshots++;
  }

  private record(entry: object) {
    this.pendingAudit.push(entry);
  }

  private async commit() {
    try {
      await this.committer.commit();
    } catch (error) {
      // Memory is now ahead of the disk: stop accepting changes rather than act on state that was not saved.
      this.broken ??= error as Error;
      throw error;
    }
  }

  private async flush() {
    const entries = this.pendingAudit.splice(0);
    const records = [...this.pendingWal.values()];
    this.pendingWal.clear();
    this.auditBytes += await this.audit.append(entries);
    this.walBytes += await this.wal.append(records);
    this.writes++;
    if (this.wal.bytes > Math.max(this.compactAtBytes, this.adapter.lastSnapshotBytes)) {
      await this.snapshot();
    }
  }

  private assertWritable() {
    if (this.broken) {
      throw new Error(
        `${this.adapter.path}: an earlier write failed (${this.broken.message}); restart Pitstop once the disk is fixed`,
      );
    }
  }
}

/** Beside the state file, under the same lock. */
export const pauseFileOf = (stateFile: string) => `${stateFile}.pause.json`;

/**
 * Applies a log record only if it is newer than what the state holds, and never revives a
 * finished job. Replay is then safe in any overlap with a snapshot: after a crash between a
 * snapshot and the log's truncation, older records simply lose to the snapshot.
 */
function replay(state: StateFile, record: WalRecord) {
  if ('finish' in record) {
    delete state.jobs[record.finish.jobId];
    state.finished[record.finish.eventId] = record.finish.entry;
    return;
  }
  const job = record.put;
  const current = state.jobs[job.id];
  if (state.finished[job.eventId]?.jobId === job.id) return;
  if (!current || job.version >= current.version) state.jobs[job.id] = job;
}

function parseWalOrExplain(path: string, text: string): WalRecord[] {
  try {
    return parseWal(text);
  } catch (error) {
    if (error instanceof WalCorruptError) throw new StoreFileError(path, error.message);
    throw error;
  }
}

async function openWal(path: string) {
  try {
    return await openWriteAheadLog(path);
  } catch (error) {
    if (error instanceof WalCorruptError) throw new StoreFileError(path, error.message);
    throw new StoreFileError(path, `cannot read the write-ahead log (${(error as Error).message})`);
  }
}
