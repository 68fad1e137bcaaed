import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireStateLock, StateLockedError, takeoverClaim } from '../../src/store/state-lock.js';

const CONTENDERS = 4;
const ROUNDS = 40;
const script = new URL('./lock-contender.ts', import.meta.url).pathname;

/** A contender process and its answers, one line per command. */
class Contender {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  constructor(readonly process: ResultPromise) {
    createInterface({ input: process.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.lines.push(line);
    });
  }
  ask(command: string): Promise<string> {
    const answer = new Promise<string>((resolve) => {
      const line = this.lines.shift();
      if (line !== undefined) resolve(line);
      else this.waiting = resolve;
    });
    this.process.stdin!.write(`${command}\n`);
    return answer;
  }
}

describe('state lock: processes racing for it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-lock-race-'));
  const lockFile = join(dir, 'state.json.lock');
  let contenders: Contender[];

  beforeAll(() => {
    contenders = Array.from(
      { length: CONTENDERS },
      () => new Contender(execa('node', ['--import', 'tsx', script, lockFile], { reject: false })),
    );
  });
  afterAll(async () => {
    for (const c of contenders) c.process.stdin!.end();
    await Promise.all(contenders.map((c) => c.process));
    rmSync(dir, { recursive: true, force: true });
  });

  it('always has exactly one winner, with no lock or with a stale one present', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round starts from a lock left by a process that is gone.
      if (round % 2 === 1) writeFileSync(lockFile, '2147483646 12345\n');
      const answers = await Promise.all(contenders.map((c) => c.ask('go')));
      expect(answers.filter((a) => a.startsWith('error'))).toEqual([]);
      expect(
        answers.filter((a) => a === 'won'),
        `round ${round}: ${answers.join(', ')}`,
      ).toHaveLength(1);
      await contenders[answers.indexOf('won')]!.ask('release');
      expect(existsSync(lockFile)).toBe(false);
    }
    // Nothing is left beside the lock: no temporary files, no stale locks set aside.
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});

describe('state lock: a take-over interrupted by a crash', () => {
  const STALE = '2147483646 12345';

  it('passes over the claim of a take-over whose process died, and cleans up after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-lock-claim-'));
    const lockFile = join(dir, 'state.json.lock');
    writeFileSync(lockFile, `${STALE}\n`);
    writeFileSync(takeoverClaim(lockFile, STALE, 1), '2147483645 999\n');
    const release = await acquireStateLock(lockFile);
    expect(readFileSync(lockFile, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses while a live process is taking the stale lock over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-lock-claim-'));
    const lockFile = join(dir, 'state.json.lock');
    writeFileSync(lockFile, `${STALE}\n`);
    const other = execa('sleep', ['30']);
    try {
      const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
      writeFileSync(takeoverClaim(lockFile, STALE, 1), `${other.pid} ${startTime}\n`);
      await expect(acquireStateLock(lockFile)).rejects.toThrow(
        new StateLockedError(lockFile, other.pid!).message,
      );
      expect(readFileSync(lockFile, 'utf8')).toBe(`${STALE}\n`);
    } finally {
      other.kill();
      await other.catch(() => {});
    }
  });
});
