import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(auditLines()[3].job).toMatchObject({
      id: job.id,
      outcome: 'failed',
      reason: 'drain timed out on gpu-1',
    });
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
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
        // Resolved means on disk: read the file itself, not the store's memory.
        const onDisk = JSON.parse(readFileSync(stateFile, 'utf8'));
        expect(onDisk.jobs[job.id].phase).toBe('draining');
      }),
    );
    expect(store.stats().writes - writesBefore).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('stops accepting changes after a failed write, instead of acting on unsaved state', async () => {
    const store = await open();
    const job = await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
    rmSync(join(dir, 'state'), { recursive: true });
    await expect(store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' })).rejects.toThrow(/ENOENT/);
    mkdirSync(join(dir, 'state'));
    await expect(store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' })).rejects.toThrow(
      /an earlier write failed .* restart Pitstop/,
    );
    await store.close();
  });
});

describe('JobStore start-up on a bad state file', () => {
  const startWith = async (text: string) => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(stateFile, text);
    const error = await open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreFileError);
    // The file is the operator's evidence: never rewritten.
    expect(readFileSync(stateFile, 'utf8')).toBe(text);
    return (error as Error).message;
  };

  it('refuses a file that is not JSON, naming it', async () => {
    const message = await startWith('{"schemaVersion":1,"jobs":{');
    expect(message).toContain(stateFile);
    expect(message).toMatch(/not valid JSON.*has not touched the file/);
  });

  it('refuses a file that does not match the schema, saying where', async () => {
    const message = await startWith(
      JSON.stringify({ schemaVersion: 1, jobs: { x: { id: 'x' } }, finished: {} }),
    );
    expect(message).toMatch(/does not match schema version 1 \(at jobs\.x\./);
  });

  it('refuses a file from a newer Pitstop', async () => {
    expect(await startWith(JSON.stringify({ schemaVersion: 7, jobs: {}, finished: {} }))).toMatch(
      /newer Pitstop/,
    );
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
