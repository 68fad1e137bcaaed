/**
 * The store on a real filesystem that fills up mid-run (a small tmpfs): the write that finds the
 * disk full rejects saying so and where, nothing is half-written, and the next start after space
 * is freed is clean and has every transition whose call resolved.
 */
import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Phase } from '../../src/domain/job.js';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { JobStore } from '../../src/store/job-store.js';
import { StoreWriteError } from '../../src/store/write-error.js';
import { missingTool } from '../support/system-tools.js';
import { fillUp, mountTmpfs, type Tmpfs, tmpfsMissing } from '../support/tmpfs.js';
import { auditMatchesState, auditOf } from './audit-invariants.js';
import { eventNo, NEXT } from './walk.js';

const clock = new ManualClock('2026-12-01T09:00:00Z');
const JOBS = 6;

describe.skipIf(missingTool(tmpfsMissing()))('JobStore on a disk that fills up (a real tmpfs)', () => {
  let disk: Tmpfs;
  let stateFile: string;
  let auditFile: string;
  let compactAtBytes: number;
  const open = () => JobStore.open({ stateFile, auditFile, clock, compactAtBytes });

  beforeEach(async () => {
    disk = await mountTmpfs(512 * 1024);
    stateFile = join(disk.dir, 'state', 'state.json');
    auditFile = join(disk.dir, 'state', 'audit.jsonl');
  });
  afterEach(async () => {
    await disk?.unmount();
  });

  it.each([
    ['a snapshot', 8 * 1024, 'state\\.json'],
    ['an append to the log or the audit log', 1 << 20, '(state\\.json\\.wal|audit\\.jsonl)'],
  ])(
    'when %s finds the disk full: the call rejects naming the file; nothing half-written; the next start after space is freed loses no durable transition',
    async (_, compactAt, file) => {
      compactAtBytes = compactAt;
      const store = await open();
      const saved = new Map<string, Phase>();
      for (let n = 1; n <= JOBS; n++) {
        const job = await store.create(newJob(eventNo(n), clock.now(), `gpu-${n}`));
        saved.set(job.id, job.phase);
      }
      // Full, then room for a few more records only: the disk fills up in the middle of the walk.
      const filler = await fillUp(disk.dir);
      truncateSync(filler, statSync(filler).size - 12 * 1024);

      let failure: unknown;
      let failedJob: string | undefined;
      walk: for (;;) {
        for (const [jobId, phase] of saved) {
          if (phase === 'done') continue;
          try {
            saved.set(jobId, (await store.apply(jobId, NEXT[phase]!)).phase);
          } catch (error) {
            failure = error;
            failedJob = jobId;
            break walk;
          }
        }
        expect([...saved.values()].every((phase) => phase === 'done')).toBe(false);
      }
      expect(failure).toBeInstanceOf(StoreWriteError);
      // What the failed call would have made of its job (the store's memory took it before the write).
      const failedTo = store.get(failedJob!)?.phase ?? 'done';
      expect((failure as Error).message).toMatch(
        new RegExp(
          `^${join(disk.dir, 'state')}/${file}: the disk is full \\(ENOSPC\\); the change was not saved\\. ` +
            `Free space where ${join(disk.dir, 'state')} is and restart Pitstop`,
        ),
      );
      // Memory is ahead of the disk now: every later change is refused, not acted on.
      const other = [...saved].find(([id, phase]) => id !== failedJob && phase !== 'done')![0];
      await expect(store.apply(other, NEXT[saved.get(other)!]!)).rejects.toThrow(
        /an earlier write failed \(.*the disk is full \(ENOSPC\).*\); restart Pitstop once the disk is fixed/,
      );
      // Nothing half-written: no temp file, and the state and its log read whole.
      expect(readdirSync(join(disk.dir, 'state')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await JobStore.read(stateFile);
      await store.close();

      // A start while the disk is still full stops, saying so, and leaves the files readable.
      await expect(open()).rejects.toThrow(/the disk is full \(ENOSPC\)/);
      await JobStore.read(stateFile);

      rmSync(filler);
      const reopened = await open();
      for (const [jobId, phase] of saved) {
        const now = reopened.get(jobId)?.phase ?? 'done';
        // The failed call's change may have reached the log before the write that failed: then it is there, whole.
        const allowed = jobId === failedJob ? [phase, failedTo] : [phase];
        expect(allowed, `${jobId}`).toContain(now);
      }
      expect(auditMatchesState(await JobStore.read(stateFile), auditOf(auditFile))).toEqual([]);
      // And it goes on where it stopped.
      for (const job of reopened.list()) await reopened.apply(job.id, NEXT[job.phase]!);
      await reopened.close();
      expect(auditMatchesState(await JobStore.read(stateFile), auditOf(auditFile))).toEqual([]);
    },
  );
});
