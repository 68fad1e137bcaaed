import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Adapter, Low } from 'lowdb';
import { z } from 'zod';
import { type JobAction, MaintenanceJob, Outcome, transition } from '../domain/job.js';
import type { Clock, Store } from '../ports.js';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import { AuditLog } from './audit-log.js';
import { GroupCommit } from './group-commit.js';
import { acquireStateLock } from './state-lock.js';

export const SCHEMA_VERSION = 1;

const FinishedEntry = z.object({ jobId: z.string(), outcome: Outcome, at: z.string() });

/** The live state file: active jobs, and a small index of finished events (their jobs are in the audit log). */
export const StateFile = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  jobs: z.record(z.string(), MaintenanceJob),
  finished: z.record(z.string(), FinishedEntry),
});
export type StateFile = z.infer<typeof StateFile>;

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
  /** Flushes of the state file, each carrying every change made since the previous one. */
  writes: number;
  stateBytes: number;
  auditBytes: number;
}

/** lowdb adapter: zod-validated reads, atomic durable writes. */
class ValidatedStateFile implements Adapter<StateFile> {
  bytesWritten = 0;
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
    this.bytesWritten += await writeFileAtomic(this.path, JSON.stringify(data));
  }
}

export interface JobStoreOptions {
  stateFile: string;
  auditFile: string;
  clock: Clock;
  /** Take the exclusive lock beside the state file (every process that may act on jobs must). */
  lock?: boolean;
}

/**
 * The jobs, in a lowdb JSON file. Every change is durable (state file, and an audit line per
 * transition) before the call that made it resolves; changes that arrive together share one
 * write. Finished jobs leave the live file for the append-only audit log.
 */
export class JobStore implements Store {
  private readonly pendingAudit: object[] = [];
  private readonly committer = new GroupCommit(() => this.flush());
  private broken: Error | undefined;
  private writes = 0;
  private auditBytes = 0;

  private constructor(
    private readonly db: Low<StateFile>,
    private readonly adapter: ValidatedStateFile,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly unlock: () => Promise<void>,
  ) {}

  static async open(options: JobStoreOptions): Promise<JobStore> {
    await mkdir(dirname(options.stateFile), { recursive: true });
    await mkdir(dirname(options.auditFile), { recursive: true });
    const unlock =
      options.lock === false ? async () => {} : await acquireStateLock(`${options.stateFile}.lock`);
    try {
      const adapter = new ValidatedStateFile(options.stateFile);
      const db = new Low<StateFile>(adapter, { schemaVersion: SCHEMA_VERSION, jobs: {}, finished: {} });
      await db.read();
      const audit = await AuditLog.open(options.auditFile);
      const store = new JobStore(db, adapter, audit, options.clock, unlock);
      await store.archiveFinished();
      return store;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  /** Reads the state file without locking or changing it (for `pitstop list` beside a running bot). */
  static async snapshot(stateFile: string): Promise<StateFile> {
    return (
      (await new ValidatedStateFile(stateFile).read()) ?? {
        schemaVersion: SCHEMA_VERSION,
        jobs: {},
        finished: {},
      }
    );
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
    this.db.data.jobs[valid.id] = valid;
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
    else this.db.data.jobs[jobId] = next;
    await this.commit();
    return next;
  }

  async annotate(
    jobId: string,
    patch: Partial<Pick<MaintenanceJob, 'node' | 'slack' | 'event' | 'reason'>>,
  ): Promise<MaintenanceJob> {
    this.assertWritable();
    const job = this.db.data.jobs[jobId];
    if (!job) throw new UnknownJobError(jobId);
    const next = Object.freeze(
      MaintenanceJob.parse({ ...job, ...patch, updatedAt: this.clock.now().toISOString() }),
    );
    this.db.data.jobs[jobId] = next;
    await this.commit();
    return next;
  }

  stats(): StoreStats {
    return { writes: this.writes, stateBytes: this.adapter.bytesWritten, auditBytes: this.auditBytes };
  }

  async close(): Promise<void> {
    await this.committer.idle();
    await this.audit.close();
    await this.unlock();
  }

  private finish(job: MaintenanceJob) {
    delete this.db.data.jobs[job.id];
    this.db.data.finished[job.eventId] = { jobId: job.id, outcome: job.outcome!, at: job.updatedAt };
    this.record({ type: 'finished', at: job.updatedAt, job });
  }

  /** A crash between the audit append and the state write can leave done jobs live; move them now. */
  private async archiveFinished() {
    const done = Object.values(this.db.data.jobs).filter((job) => job.phase === 'done');
    if (done.length === 0) return;
    for (const job of done) this.finish(job);
    await this.commit();
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
    this.auditBytes += await this.audit.append(entries);
    await this.db.write();
    this.writes++;
  }

  private assertWritable() {
    if (this.broken) {
      throw new Error(
        `${this.adapter.path}: an earlier write failed (${this.broken.message}); restart Pitstop once the disk is fixed`,
      );
    }
  }
}
