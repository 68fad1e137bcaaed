/**
 * Holds every skip in the test tree to `missingTool` (test/support/system-tools.ts), the one
 * skip that fails under CI=true: any other skip could hide a missing install step in .ci/run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingTool } from './support/system-tools.js';

const TEST_DIR = import.meta.dirname;
const HELPER = join(TEST_DIR, 'support/system-tools.ts');
const SELF = join(TEST_DIR, 'skips.test.ts');

const sources = (readdirSync(TEST_DIR, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(TEST_DIR, file))
  .filter((file) => file !== HELPER && file !== SELF);

/** `describe.skip(`, `it.skipIf(`, `test.runIf(`, `it.todo(`, `ctx.skip()` …: every way vitest leaves a test out. */
const SKIP = /\b(?:describe|it|test|suite|bench)(?:\.\w+)*\.(?:skip|skipIf|runIf|todo)\b|\.skip\(\s*\)/g;

describe('skips in the test tree', () => {
  it('are all describe.skipIf(missingTool(…)), which fails under CI=true', () => {
    const stray = sources.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(SKIP)]
        .filter((match) => !/^describe\.skipIf\(\s*missingTool\(/.test(text.slice(match.index)))
        .map(
          (match) =>
            `${relative(TEST_DIR, file)}:${text.slice(0, match.index).split('\n').length}: ${match[0]}`,
        );
    });
    expect(stray).toEqual([]);
    // The tree does use the helper: the pattern above is not simply matching nothing.
    expect(sources.some((file) => readFileSync(file, 'utf8').includes('describe.skipIf(missingTool('))).toBe(
      true,
    );
  });

  it('fails a missing tool under CI=true, naming it, and skips it elsewhere', () => {
    const ci = process.env.CI;
    try {
      process.env.CI = 'true';
      expect(() => missingTool('/usr/sbin/sshd is missing: apt-get install -y openssh-server')).toThrow(
        /may not skip, but \/usr\/sbin\/sshd is missing: apt-get install -y openssh-server/,
      );
      expect(missingTool(null)).toBe(false);
      process.env.CI = 'false';
      expect(missingTool('/usr/sbin/sshd is missing')).toBe(true);
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });
});
