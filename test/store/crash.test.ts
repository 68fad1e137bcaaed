/**
 * The store under SIGKILL: a real process (store-worker.ts) killed at each point inside a
 * commit, and killed at random moments while it works, and after each kill the audit log holds
 * exactly what the state holds: every durable change once, nothing the state never saw.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { DuplicateEventError, JobStore, type StateFile } from '../../src/store/job-store.js';
import { sampleEvent } from '../support/events.js';

const worker = new URL('./store-worker.ts', import.meta.url).pathname;
const clock = new ManualClock('2026-12-01T09:00:00Z');
const eventNo = (n: number) => sampleEvent({ id: `ocid1.instancemaintenanceevent.oc1.iad.e${n}` });

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-crash-'));
  return { stateFile: join(dir, 'state.json'), auditFile: join(dir, 'audit.jsonl') };
}

type Files = ReturnType<typeof files>;
const run = ({ stateFile, auditFile }: Files, mode: string) =>
  execa('node', ['--import', 'tsx', worker, stateFile, auditFile, mode], { reject: false });

interface Audited {
  type: string;
  seq: number;
  jobId?: string;
  eventId?: string;
  job?: { history: unknown[] };
}
const auditOf = (auditFile: string): Audited[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/**
 * What must hold between the state and the audit log after any crash: seqs 1..n each once; per
 * job one `created`, one `transition` per step of its history, one `finished` once it is done;
 * and no record about a job the state never saw.
 */
function auditMatchesState(state: StateFile, audit: Audited[]): string[] {
  const problems: string[] = [];
  audit.forEach((record, index) => {
    if (record.seq !== index + 1) problems.push(`record ${index + 1} has seq ${record.seq}`);
  });
  const about = (jobId: string, type: string) => audit.filter((r) => r.jobId === jobId && r.type === type);
  const expectJob = (jobId: string, steps: number, finished: number) => {
    const counts = [
      about(jobId, 'created').length,
      about(jobId, 'transition').length,
      about(jobId, 'finished').length,
    ];
    if (counts.join() !== [1, steps, finished].join())
      problems.push(
        `${jobId}: created/transition/finished ${counts.join('/')}, expected 1/${steps}/${finished}`,
      );
  };
  for (const job of Object.values(state.jobs)) expectJob(job.id, job.history.length, 0);
  for (const { jobId } of Object.values(state.finished)) {
    expectJob(jobId, about(jobId, 'finished')[0]?.job?.history.length ?? -1, 1);
  }
  const known = new Set([...Object.keys(state.jobs), ...Object.values(state.finished).map((f) => f.jobId)]);
  for (const record of audit) {
    if (record.jobId && record.type !== 'refused' && !known.has(record.jobId))
      problems.push(`seq ${record.seq} (${record.type}) is about ${record.jobId}, which the state never saw`);
  }
  return problems;
}

/** Opens and closes the store (a restart), and checks the audit log against what it found. */
async function restart({ stateFile, auditFile }: Files) {
  const store = await JobStore.open({ stateFile, auditFile, clock });
  await store.close();
  const state = await JobStore.read(stateFile);
  expect(auditMatchesState(state, auditOf(auditFile))).toEqual([]);
  return state;
}

describe('JobStore killed (SIGKILL) inside a commit', () => {
  it.each([
    ['mid-wal', false],
    ['after-wal', true],
    ['mid-audit', true],
    ['after-snapshot', true],
  ])(
    'at %s: after the restart the audit log has each durable change once (event 2 durable: %s)',
    async (point, durable) => {
      const paths = files();
      const crashed = await run(paths, `crash:${point}`);
      expect(crashed.signal, crashed.stdout + crashed.stderr).toBe('SIGKILL');

      const state = await restart(paths);
      const created = (eventId: string) =>
        auditOf(paths.auditFile).filter((r) => r.type === 'created' && r.eventId === eventId);
      expect(created(eventNo(1).id)).toHaveLength(1);
      expect(created(eventNo(2).id)).toHaveLength(durable ? 1 : 0);
      expect(Object.values(state.jobs).some((job) => job.eventId === eventNo(2).id)).toBe(durable);

      // The next start finds nothing more to add, and the event is never created twice.
      const before = readFileSync(paths.auditFile);
      const store = await JobStore.open({ ...paths, clock });
      expect(readFileSync(paths.auditFile)).toEqual(before);
      if (durable) {
        await expect(store.create(newJob(eventNo(2), clock.now(), 'gpu-2'))).rejects.toThrow(
          DuplicateEventError,
        );
      } else {
        await store.create(newJob(eventNo(2), clock.now(), 'gpu-2'));
      }
      await store.close();
      expect(auditMatchesState(await JobStore.read(paths.stateFile), auditOf(paths.auditFile))).toEqual([]);
    },
  );
});

describe('JobStore killed (SIGKILL) at random moments while it works', () => {
  it('keeps the audit log and the state in step through every kill and restart', async () => {
    const paths = files();
    const walFile = `${paths.stateFile}.wal`;
    const size = (file: string) => {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    };
    let finished = 0;
    for (let round = 0; round < 8; round++) {
      const working = run(paths, 'work');
      // Killed once the log has grown by a different amount each round: a moment the process chose nothing about.
      const start = size(paths.auditFile);
      const grow = 2_000 + round * 3_517;
      while (size(paths.auditFile) < start + grow && working.exitCode === null) await delay(2);
      working.kill('SIGKILL');
      const result = await working;
      expect(result.signal, result.stderr).toBe('SIGKILL');
      expect(size(walFile)).toBeGreaterThanOrEqual(0);
      const state = await restart(paths);
      expect(Object.keys(state.finished).length).toBeGreaterThanOrEqual(finished);
      finished = Object.keys(state.finished).length;
    }
    expect(finished).toBeGreaterThan(0);
  });
});
