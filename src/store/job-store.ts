import { dirname } from 'node:path';
import { type Adapter, Low } from 'lowdb';
import { z } from 'zod';
import { type JobAction, MaintenanceJob, transition } from '../domain/job.js';
import type { PauseState } from '../domain/pause.js';
import type { Termination } from '../domain/terminate.js';
import type { AuditEntry, Clock, Store } from '../ports.js';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import { type AuditRecord, lastAuditSeq, missingFromAudit } from './audit-log.js';
import { GroupCommit } from './group-commit.js';
import { JsonLinesFile } from './json-lines-file.js';
import { checkOwnerOnly, ownerOnlyDirectory } from './owner-only.js';
import { PauseFile } from './pause-file.js';
import { acquireStateLock } from './state-lock.js';
import { TerminateFile } from './terminate-file.js';
import { FinishedEntry, parseWal, WalCorruptError, type WalRecord } from './write-ahead-log.js';

export const SCHEMA_VERSION = 1;

/** The live state file: active jobs, and a small index of finished events (their jobs are in the audit log). */
export const StateFile = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  jobs: z.record(z.string(), MaintenanceJob),
  finished: z.record(z.string(), FinishedEntry),
  /** The `seq` of the newest audit record whose change this snapshot holds (files from before it: 0). */
  auditSeq: z.number().int().nonnegative().default(0),
});
export type StateFile = z.infer<typeof StateFile>;

const emptyState = (): StateFile => ({ schemaVersion: SCHEMA_VERSION, jobs: {}, finished: {}, auditSeq: 0 });

export class StoreFileError extends Error {
  override readonly name = 'StoreFileError';
  constructor(
    readonly file: string,
    problem: string,
    advice = 'Restore it from a backup, or move it aside to start with no jobs (the audit log keeps the history).',
  ) {
    super(`${file}: ${problem}. Pitstop did not start and has not touched the file. ${advice}`);
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
      throw new StoreFileError(
        this.path,
        `schema version ${version} was written by a newer Pitstop (this one knows version ${SCHEMA_VERSION})`,
        'Run the newer Pitstop that wrote it: this one would drop what it does not know.',
      );
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
  /** Start-up warnings (a store file or directory other users may read); Node's process warning if not given. */
  warn?: (message: string) => void;
  /** Told once, when a write first fails (every later change is refused from then on). */
  onWriteFailure?: (error: Error) => void;
}

type JobChange = { put: MaintenanceJob } | Extract<WalRecord, { finish: unknown }>;

/**
 * The jobs: a lowdb JSON snapshot plus a write-ahead log beside it (`<state file>.wal`), so a
 * change costs one small append instead of rewriting every job. Every change is durable (log
 * and an audit line per transition, fsynced) before the call that made it resolves; changes that
 * arrive together share one write. The log is folded into a new snapshot (written atomically) at
 * start-up and whenever it outgrows the snapshot. Finished jobs leave the live state for the
 * append-only audit log.
 *
 * The audit log records what is durable, once: each audit record goes into the write-ahead log
 * on the line of the change it describes, and is appended to the audit log only after that line
 * is durable. A crash in between leaves records the audit log lacks; start-up appends them (those
 * after the audit log's last `seq`), so none is missing, none is written twice, and none tells of
 * a change that was never saved.
 */
export class JobStore implements Store {
  private readonly pendingAudit: AuditRecord[] = [];
  /** The newest record per job since the last commit: a job changed twice in a group is logged once. */
  private readonly pendingWal = new Map<string, JobChange>();
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
    private readonly terminations: TerminateFile,
    /** The `seq` of the newest audit record made. */
    private auditSeq: number,
    private readonly onWriteFailure: ((error: Error) => void) | undefined,
  ) {}

  static async open(options: JobStoreOptions): Promise<JobStore> {
    const { stateFile, auditFile } = options;
    const walFile = walFileOf(stateFile);
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'PitstopWarning'));
    const warnIf = (warning: string | undefined) => warning && warn(warning);
    for (const dir of new Set([dirname(stateFile), dirname(auditFile)]))
      warnIf(await ownerOnlyDirectory(dir));
    const unlock = options.lock === false ? async () => {} : await acquireStateLock(`${stateFile}.lock`);
    const opened: JsonLinesFile[] = [];
    try {
      for (const file of [
        stateFile,
        walFile,
        auditFile,
        pauseFileOf(stateFile),
        terminateFileOf(stateFile),
      ]) {
        warnIf(await checkOwnerOnly(file, 'file'));
      }
      // Everything is read and checked before anything is written: a refusal leaves every file as it was.
      const adapter = new ValidatedStateFile(stateFile);
      const db = new Low<StateFile>(adapter, emptyState());
      await db.read();
      const records = parseWalOrExplain(walFile, await readOrExplain(walFile, 'the write-ahead log'));
      const pause = await PauseFile.open(pauseFileOf(stateFile));
      const terminations = await TerminateFile.open(terminateFileOf(stateFile));
      const lastSeq = await lastAuditSeq(auditFile).catch((error: Error) => {
        throw new StoreFileError(auditFile, `cannot read the audit log (${error.message})`);
      });
      const wal = await JsonLinesFile.open(walFile);
      opened.push(wal);
      const audit = await JsonLinesFile.open(auditFile);
      opened.push(audit);
      const durable = records.flatMap((record) => record.audit ?? []);
      const store = new JobStore(
        db,
        adapter,
        wal,
        audit,
        options.clock,
        unlock,
        options.compactAtBytes ?? 1 << 20,
        pause,
        terminations,
        durable.reduce((newest, record) => Math.max(newest, record.seq), Math.max(db.data.auditSeq, lastSeq)),
        options.onWriteFailure,
      );
      store.auditBytes += await audit.append(missingFromAudit(durable, lastSeq));
      for (const record of records) replay(db.data, record);
      await store.archiveFinished();
      await store.snapshot(store.view());
      return store;
    } catch (error) {
      await Promise.all(opened.map((file) => file.close()));
      await unlock();
      throw error;
    }
  }

  /** Reads the state without locking or changing it (for `pitstop list` beside a running bot). */
  static async read(stateFile: string): Promise<StateFile> {
    const state = (await new ValidatedStateFile(stateFile).read()) ?? emptyState();
    const walFile = walFileOf(stateFile);
    const text = await readOrExplain(walFile, 'the write-ahead log');
    for (const record of parseWalOrExplain(walFile, text)) replay(state, record);
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

  termination(jobId: string): Termination | undefined {
    return this.terminations.get(jobId);
  }

  listTerminations(): Termination[] {
    return this.terminations.all();
  }

  async setTermination(record: Termination): Promise<void> {
    this.assertWritable();
    await this.terminations.set(record);
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

  /**
   * The state as of now, with the seq of the newest audit record. Jobs are replaced, never
   * changed in place, so copies of the two indexes are enough to keep it from later changes.
   */
  private view(): StateFile {
    const { data } = this.db;
    return { ...data, jobs: { ...data.jobs }, finished: { ...data.finished }, auditSeq: this.auditSeq };
  }

  /** Folds the log into a new snapshot; the snapshot is durable before the log is emptied. */
  private async snapshot(view: StateFile) {
    await this.adapter.write(view);
    await this.wal.truncate();
    this.snapshots++;
  }

  private record(entry: { type: string; [field: string]: unknown }) {
    this.pendingAudit.push({ ...entry, seq: ++this.auditSeq });
  }

  private async commit() {
    try {
      await this.committer.commit();
    } catch (error) {
      // Memory is now ahead of the disk: stop accepting changes rather than act on state that was not saved.
      if (!this.broken) {
        this.broken = error as Error;
        this.onWriteFailure?.(this.broken);
      }
      throw error;
    }
  }

  private async flush() {
    const entries = this.pendingAudit.splice(0);
    const data = JsonLinesFile.encode(withAudit(this.pendingWal, entries));
    this.pendingWal.clear();
    // Taken now, a snapshot holds exactly this commit's changes and audit records: what changes
    // while it is written is still pending, for the log after it.
    const view =
      this.wal.bytes + data.byteLength > Math.max(this.compactAtBytes, this.adapter.lastSnapshotBytes)
        ? this.view()
        : undefined;
    this.walBytes += await this.wal.appendEncoded(data);
    // Only once the changes are durable: the audit log never tells of a change that was not saved.
    this.auditBytes += await this.audit.append(entries);
    this.writes++;
    if (view) await this.snapshot(view);
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
/** Where the terminate requests waiting for their second person are kept, beside the pause. */
export const terminateFileOf = (stateFile: string) => `${stateFile}.terminate.json`;
const walFileOf = (stateFile: string) => `${stateFile}.wal`;

/** The log lines of a commit: each job's change with the audit records about it; records of no changed job on a line of their own. */
function withAudit(changes: ReadonlyMap<string, JobChange>, entries: readonly AuditRecord[]): WalRecord[] {
  const byJob = new Map<string, AuditRecord[]>();
  const alone: AuditRecord[] = [];
  for (const entry of entries) {
    const jobId = typeof entry.jobId === 'string' && changes.has(entry.jobId) ? entry.jobId : undefined;
    if (jobId === undefined) alone.push(entry);
    else byJob.set(jobId, [...(byJob.get(jobId) ?? []), entry]);
  }
  const lines: WalRecord[] = [...changes].map(([jobId, change]) =>
    byJob.has(jobId) ? { ...change, audit: byJob.get(jobId) } : change,
  );
  return alone.length > 0 ? [...lines, { audit: alone }] : lines;
}

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
  if (!('put' in record)) return; // audit records alone: no job changed
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

async function readOrExplain(path: string, what: string): Promise<string> {
  try {
    return (await readIfExists(path)) ?? '';
  } catch (error) {
    throw new StoreFileError(path, `cannot read ${what} (${(error as Error).message})`);
  }
}
