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
import { DuplicateEventError, JobStore } from '../../src/store/job-store.js';
import { auditMatchesState, auditOf } from './audit-invariants.js';
import { eventNo } from './walk.js';

const worker = new URL('./store-worker.ts', import.meta.url).pathname;
const clock = new ManualClock('2026-12-01T09:00:00Z');

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-crash-'));
  return { stateFile: join(dir, 'state.json'), auditFile: join(dir, 'audit.jsonl') };
}

type Files = ReturnType<typeof files>;
const run = ({ stateFile, auditFile }: Files, mode: string) =>
  execa('node', ['--import', 'tsx', worker, stateFile, auditFile, mode], { reject: false });

/**
 * Checks the files a kill left (the audit log may lag, never lead), then opens and closes the
 * store (a restart) and checks the audit log against what it found.
 */
async function restart({ stateFile, auditFile }: Files) {
  expect(auditMatchesState(await JobStore.read(stateFile), auditOf(auditFile), { lagging: true })).toEqual(
    [],
  );
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
      const state = await restart(paths);
      expect(Object.keys(state.finished).length).toBeGreaterThanOrEqual(finished);
      finished = Object.keys(state.finished).length;
    }
    expect(finished).toBeGreaterThan(0);
  }, 120_000);
});
