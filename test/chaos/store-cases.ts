import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { newJob } from '../../src/domain/job.js';
import { JobStore } from '../../src/store/job-store.js';
import { sampleEvent } from '../support/events.js';
import type { ChaosCase } from './matrix.js';
import { type ServeCase, type ServeWorld, serveCase } from './serve-world.js';

/**
 * The store under `pitstop serve`: damaged state files are refused (and left as they were), one
 * serve per state file, owner-only modes, a disk that fills up mid-job.
 */

/** A state file with one job awaiting approval, written by the real store. */
async function stateWithOneJob(c: ServeCase): Promise<void> {
  const store = await JobStore.open({ stateFile: c.stateFile, auditFile: c.auditFile, clock: systemClock });
  await store.create(newJob(sampleEvent(), systemClock.now(), 'gpu-3'));
  await store.close();
}

async function snapshotOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(dir)) files[name] = (await readFile(join(dir, name))).toString('base64');
  return files;
}

function damaged(
  name: string,
  fault: string,
  damage: (c: ServeCase) => Promise<void>,
  says: RegExp,
  /** What the refusal tells the operator to do. */
  todo = /move it aside|backup|restore/i,
): ChaosCase<ServeWorld> {
  return {
    group: 'store',
    name,
    fault,
    expected: 'serve refuses to start, naming the file and what to do; nothing on disk changes',
    async run(world) {
      const c = await serveCase(world, []);
      try {
        await stateWithOneJob(c);
        await damage(c);
        const before = await snapshotOf(dirname(c.stateFile));
        const serve = c.serve();
        const result = await serve.exited();
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(says);
        expect(result.stderr).toMatch(todo);
        expect(await snapshotOf(dirname(c.stateFile))).toEqual(before);
        return undefined;
      } finally {
        await c.stop();
      }
    },
  };
}

export const STORE_CASES: ChaosCase<ServeWorld>[] = [
  damaged(
    'state file truncated',
    'the state file is cut in half (a copy interrupted, a disk error)',
    async (c) => {
      const text = await readFile(c.stateFile, 'utf8');
      await writeFile(c.stateFile, text.slice(0, Math.floor(text.length / 2)));
    },
    /state\.json/,
  ),
  damaged(
    'state file corrupt',
    'the state file holds bytes that are not JSON',
    (c) => writeFile(c.stateFile, '{"schemaVersion":1,"jobs":\u0000\u0000garbage'),
    /state\.json/,
  ),
  damaged(
    'state file from a newer version',
    'the state file says schemaVersion 2 (written by a newer Pitstop)',
    async (c) => {
      const state = JSON.parse(await readFile(c.stateFile, 'utf8')) as Record<string, unknown>;
      await writeFile(c.stateFile, JSON.stringify({ ...state, schemaVersion: 2 }));
    },
    /state\.json.*(newer|version)/s,
    /run the newer Pitstop/i,
  ),
  damaged(
    'write-ahead log damaged mid-file',
    'a line in the middle of the write-ahead log is garbage',
    async (c) => {
      const wal = `${c.stateFile}.wal`;
      const text = await readFile(wal, 'utf8').catch(() => '');
      await writeFile(wal, `${text}not json at all\n${text}`);
    },
    /state\.json\.wal/,
  ),
  {
    group: 'store',
    name: 'two serve on one state file',
    fault: 'a second pitstop serve starts on the state file a running one holds',
    expected: 'the second refuses, naming the other pid; the first goes on',
    async run(world) {
      const c = await serveCase(world, [{ name: 'twice', node: 'gpu-2' }]);
      try {
        const first = c.serve({ AUTO_APPROVE: '' });
        await first.line('the event announced', (l) => l.notify === 'announce');
        const second = await c.serve({ AUTO_APPROVE: '', PORT: '0' }).exited();
        expect(second.exitCode).toBe(1);
        expect(second.stderr).toMatch(/in use by another Pitstop \(pid \d+\)/);
        const health = await fetch(`http://127.0.0.1:${c.port}/healthz`);
        expect(health.status).toBe(200);
        world.captured.add('healthz', await health.text());
        await first.kill('SIGTERM');
        return await c.record();
      } finally {
        await c.stop();
      }
    },
  },
  {
    group: 'store',
    name: 'owner-only files',
    fault: 'a serve runs a job to its end in a fresh state directory (umask 022)',
    expected: 'the state directory is 0700; the state file, its log and the audit log are 0600',
    async run(world) {
      const c = await serveCase(world, [{ name: 'modes', node: 'gpu-3' }]);
      try {
        const serve = c.serve();
        await c.finished();
        await serve.kill('SIGTERM');
        const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
        expect(await mode(dirname(c.stateFile))).toBe('700');
        for (const file of [c.stateFile, `${c.stateFile}.wal`, c.auditFile]) {
          expect(`${file} ${await mode(file)}`).toBe(`${file} 600`);
        }
        return await c.record();
      } finally {
        await c.stop();
      }
    },
  },
];

/** A small tmpfs mounted on `dir` (the matrix runs as root, as the Slurm cluster needs). */
async function smallDisk(dir: string, bytes: number): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  return async () => {
    await execa('umount', ['-l', dir], { reject: false });
  };
}

/** Writes zeros into `file` until the disk says it is full. */
async function fill(file: string): Promise<void> {
  const chunk = Buffer.alloc(4096);
  const handle = await open(file, 'w');
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close().catch(() => {});
  }
}

STORE_CASES.push({
  group: 'store',
  name: 'disk full mid-job',
  fault:
    'the state disk fills up while the job waits for its maintenance; space comes back; serve is restarted',
  expected: 'no half-written state: the next serve starts clean and finishes the job once',
  async run(world) {
    const c = await serveCase(world, [{ name: 'diskfull', node: 'gpu-4' }]);
    const unmount = await smallDisk(dirname(c.stateFile), 2 * 1024 * 1024);
    try {
      const filler = join(dirname(c.stateFile), 'filler');
      const first = c.serve();
      await first.line('the maintenance wait', (l) => l.notify === 'phase' && l.phase === 'maintenance');
      await fill(filler);
      await first.line('a failed write said', (l) => /ENOSPC|no space/i.test(JSON.stringify(l)), 45_000);
      await first.kill('SIGKILL');
      await rm(filler);
      const second = c.serve();
      await c.finished();
      await second.kill('SIGTERM');
      const record = await c.record();
      expect(record.slurm.map((u) => `${u.state} ${u.node}`)).toEqual(['DRAIN gpu-4', 'RESUME gpu-4']);
      return record;
    } finally {
      await c.stop();
      await unmount();
    }
  },
  timeoutMs: 120_000,
});
