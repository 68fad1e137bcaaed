import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { DuplicateEventError, JobStore, StoreFileError } from '../../src/store/job-store.js';
import { StateLockedError } from '../../src/store/state-lock.js';
import { sampleEvent } from '../support/events.js';

let dir: string;
let stateFile: string;
let auditFile: string;
const clock = new ManualClock('2026-12-01T09:00:00Z');
const open = () => JobStore.open({ stateFile, auditFile, clock });
const eventNo = (n: number) => sampleEvent({ id: `ocid1.instancemaintenanceevent.oc1.iad.e${n}` });
const auditLines = () =>
  readFileSync(auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-store-'));
  stateFile = join(dir, 'state', 'state.json');
  auditFile = join(dir, 'audit', 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('JobStore', () => {
  it('keeps jobs and their transitions across a restart', async () => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' });
    await store.close();

    const reopened = await open();
    expect(reopened.get(job.id)).toMatchObject({ phase: 'draining', approval: { by: 'U1' }, version: 1 });
    expect(reopened.findByEvent(job.eventId)?.id).toBe(job.id);
    await reopened.close();
  });

  it('never creates a second job for one event, even after the first finished', async () => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await expect(store.create(newJob(eventNo(1), clock.now(), 'gpu-1'))).rejects.toThrow(DuplicateEventError);
    await store.apply(job.id, { type: 'deny', by: 'U1', via: 'slack', reason: '' });
    await store.close();

    const reopened = await open();
    expect(reopened.list()).toEqual([]);
    expect(reopened.knowsEvent(job.eventId)).toBe(true);
    await expect(reopened.create(newJob(eventNo(1), clock.now(), 'gpu-1'))).rejects.toThrow(
      /never acts twice/,
    );
    await reopened.close();
  });

  it('moves finished jobs to the append-only audit log, with every transition before them', async () => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await store.apply(job.id, { type: 'approve', by: 'U1', via: 'slack' });
    await store.apply(job.id, { type: 'fail', reason: 'drain timed out on gpu-1' });
    await store.close();

    expect(auditLines().map((entry) => entry.type)).toEqual([
      'created',
      'transition',
      'transition',
      'finished',
    ]);
    expect(auditLines()[3]).toMatchObject({
      type: 'finished',
      jobId: job.id,
      eventId: job.eventId,
      node: 'gpu-1',
      at: expect.any(String),
      outcome: 'failed',
    });
    expect(auditLines()[3].job).toMatchObject({
      id: job.id,
      outcome: 'failed',
      reason: 'drain timed out on gpu-1',
    });
    const state = await JobStore.read(stateFile);
    expect(state.jobs).toEqual({});
    expect(state.finished[job.eventId]).toMatchObject({ jobId: job.id, outcome: 'failed' });
  });

  it('shares one write among transitions that arrive together, each durable when it resolves', async () => {
    const store = await open();
    const jobs = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => store.create(newJob(eventNo(n), clock.now(), `gpu-${n}`))),
    );
    const writesBefore = store.stats().writes;
    await Promise.all(
      jobs.map(async (job) => {
        await store.apply(job.id, { type: 'approve', by: 'U1', via: 'policy' });
        // Resolved means on disk: read the files, not the store's memory.
        const onDisk = await JobStore.read(stateFile);
        expect(onDisk.jobs[job.id]?.phase).toBe('draining');
      }),
    );
    expect(store.stats().writes - writesBefore).toBeLessThanOrEqual(2);
    await store.close();
  });
});

describe('write-ahead log', () => {
  const walFile = () => `${stateFile}.wal`;

  it('keeps each change as one appended record, not a rewrite of every job', async () => {
    const store = await open();
    const jobs = [];
    for (let n = 0; n < 50; n++) jobs.push(await store.create(newJob(eventNo(n), clock.now(), `gpu-${n}`)));
    const before = store.stats();
    await store.apply(jobs[0]!.id, { type: 'approve', by: 'U1', via: 'cli' });
    const after = store.stats();
    const written = after.stateBytes - before.stateBytes;
    expect(written).toBeLessThan(JSON.stringify(jobs[0]).length * 2);
    expect(after.snapshots).toBe(before.snapshots);
    await store.close();
  });

  it('drops a record torn by a crash mid-append (its caller was never told it was saved)', async () => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await store.close();
    appendFileSync(walFile(), '{"put":{"id":"job-torn","eventId":');
    const reopened = await open();
    expect(reopened.list().map((j) => j.id)).toEqual([job.id]);
    await reopened.close();
  });

  it('refuses a log damaged before its last line, naming it and leaving every file alone', async () => {
    const store = await open();
    await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await store.create(newJob(eventNo(2), clock.now(), 'gpu-2'));
    await store.close();
    const lines = readFileSync(walFile(), 'utf8').split('\n');
    lines[0] = lines[0]!.slice(0, 40);
    const damaged = lines.join('\n');
    writeFileSync(walFile(), damaged);
    const state = readFileSync(stateFile, 'utf8');
    const audit = readFileSync(auditFile, 'utf8');
    await expect(open()).rejects.toThrow(
      new RegExp(`${walFile()}: line 1 of the write-ahead log is damaged`),
    );
    expect(readFileSync(walFile(), 'utf8')).toBe(damaged);
    expect(readFileSync(stateFile, 'utf8')).toBe(state);
    expect(readFileSync(auditFile, 'utf8')).toBe(audit);
  });

  it('folds a grown log into a snapshot, and replaying it again after a crash changes nothing', async () => {
    const store = await JobStore.open({ stateFile, auditFile, clock, compactAtBytes: 64 * 1024 });
    const jobs = [];
    for (let n = 0; n < 200; n++) jobs.push(await store.create(newJob(eventNo(n), clock.now(), `gpu-${n}`)));
    const walBeforeCompaction = readFileSync(walFile(), 'utf8');
    for (const job of jobs) await store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' });
    for (const job of jobs.slice(0, 100))
      await store.apply(job.id, { type: 'drained', drainedBy: 'pitstop' });
    for (const job of jobs.slice(100)) await store.apply(job.id, { type: 'fail', reason: 'drain timed out' });
    expect(store.stats().snapshots).toBeGreaterThan(1);
    expect(statSync(walFile()).size).toBeLessThan(Math.max(64 * 1024, statSync(stateFile).size));
    await store.close();
    const expected = await JobStore.read(stateFile);

    // A crash after a snapshot but before the log was emptied: the snapshot already holds
    // everything, and the log still has every record, old ones included.
    writeFileSync(stateFile, JSON.stringify(expected));
    writeFileSync(walFile(), walBeforeCompaction + readFileSync(walFile(), 'utf8'));
    const replayed = await JobStore.read(stateFile);
    expect(replayed).toEqual(expected);
    expect(Object.keys(replayed.finished)).toHaveLength(100);
    expect(Object.values(replayed.jobs).map((job) => job.phase)).toEqual(Array(100).fill('scheduling'));
  });
});

describe('JobStore start-up on a bad state file', () => {
  const stateDir = () => join(dir, 'state');
  /** Every byte of every file beside the state and of the audit log, by name. */
  const everything = () =>
    Object.fromEntries(
      [...readdirSync(stateDir()).map((name) => join(stateDir(), name)), auditFile].map((path) => [
        path,
        readFileSync(path, 'utf8'),
      ]),
    );
  /** A store that ran before (a log and audit records beside the state), then `path` replaced by `text`. */
  const startWith = async (text: string, path = stateFile) => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    await store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' });
    await store.setPaused({ by: 'U1', reason: 'freeze', at: clock.now().toISOString() });
    await store.close();
    expect(readFileSync(`${stateFile}.wal`, 'utf8')).not.toBe('');
    writeFileSync(path, text);
    const before = everything();
    const error = await open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreFileError);
    // The files are the operator's evidence: none rewritten, none added (no lock, no temp file).
    expect(everything()).toEqual(before);
    return (error as Error).message;
  };

  it('refuses a file that is not JSON, naming it', async () => {
    const message = await startWith('{"schemaVersion":1,"jobs":{');
    expect(message).toContain(stateFile);
    expect(message).toMatch(/not valid JSON.*has not touched the file/);
  });

  it('refuses a file cut short mid-write, naming it', async () => {
    const whole = JSON.stringify({
      schemaVersion: 1,
      jobs: { j: newJob(eventNo(2), clock.now(), 'gpu-2') },
      finished: {},
      auditSeq: 0,
    });
    const message = await startWith(whole.slice(0, Math.floor(whole.length / 2)));
    expect(message).toMatch(new RegExp(`^${stateFile}: the state file is not valid JSON`));
  });

  it('refuses a file that does not match the schema, saying where', async () => {
    const message = await startWith(
      JSON.stringify({ schemaVersion: 1, jobs: { x: { id: 'x' } }, finished: {} }),
    );
    expect(message).toMatch(/does not match schema version 1 \(at jobs\.x\./);
  });

  it('refuses a file from a newer Pitstop, saying to run that one', async () => {
    expect(await startWith(JSON.stringify({ schemaVersion: 7, jobs: {}, finished: {} }))).toMatch(
      /schema version 7 was written by a newer Pitstop \(this one knows version 1\).*Run the newer Pitstop/,
    );
  });

  it('refuses a damaged pause file, naming it', async () => {
    const message = await startWith('{"paused":{"by":"U1"', `${stateFile}.pause.json`);
    expect(message).toMatch(new RegExp(`^${stateFile}.pause.json: the pause file is not valid JSON`));
  });

  it('refuses a state path it cannot read', async () => {
    mkdirSync(stateFile, { recursive: true });
    await expect(open()).rejects.toThrow(/cannot read the state file .*EISDIR/);
  });

  it('releases the lock when start-up fails', async () => {
    await startWith('garbage');
    rmSync(stateFile);
    const store = await open();
    await store.close();
  });
});

describe('state lock', () => {
  it('lets one process at a time act on a state file', async () => {
    const first = await open();
    await expect(open()).rejects.toThrow(StateLockedError);
    await first.close();
    const second = await open();
    await second.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(`${stateFile}.lock`, '2147483646 12345\n');
    const store = await open();
    expect(readFileSync(`${stateFile}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await store.close();
    expect(readdirSync(join(dir, 'state'))).not.toContain('state.json.lock');
  });
});
