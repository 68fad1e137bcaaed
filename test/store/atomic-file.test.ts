import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readIfExists, writeFileAtomic } from '../../src/store/atomic-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json');
    expect(await writeFileAtomic(path, '{"a":1}')).toBe(7);
    await writeFileAtomic(path, '{"a":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('never lets a reader see a half-written file', async () => {
    const path = join(dir, 'state.json');
    const big = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(2_000_000) });
    await writeFileAtomic(path, big(0));
    let writing = true;
    const writer = (async () => {
      for (let n = 1; n <= 15; n++) await writeFileAtomic(path, big(n));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = readFileSync(path, 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).n).toBe(15);
  });

  it('fails without creating the file when the directory is missing', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'state.json'), '{}')).rejects.toThrow(/ENOENT/);
    expect(await readIfExists(join(dir, 'missing', 'state.json'))).toBeUndefined();
  });
});
