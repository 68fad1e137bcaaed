/**
 * The Slack outbox's journal on disk: a crash mid-append, a damaged file, and a disk that fills
 * up (a real tmpfs). Its modes are tested with the store's (test/store/owner-only.test.ts).
 */
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxFileError, OutboxJournal } from '../../src/slack/outbox/journal.js';
import type { JournalRecord } from '../../src/slack/outbox/messages.js';
import { StoreWriteError } from '../../src/store/write-error.js';
import { missingTool } from '../support/system-tools.js';
import { fillUp, mountTmpfs, type Tmpfs, tmpfsMissing } from '../support/tmpfs.js';

const add = (seq: number): JournalRecord => ({
  add: {
    seq,
    at: '2026-12-01T09:00:00.000Z',
    message: { kind: 'reply', jobId: 'job-1', text: `line ${seq} ${'x'.repeat(200)}` },
  },
});
const open = (path: string) => OutboxJournal.open(path, () => []);
const queued = async (path: string) => {
  const { journal, state } = await open(path);
  await journal.close();
  return state.entries.map((entry) => entry.seq);
};

describe('Slack outbox journal', () => {
  let path: string;
  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'pitstop-journal-')), 'state.json.outbox');
  });

  it('drops a record torn by a crash mid-append, and what is written after it reads back whole', async () => {
    const { journal } = await open(path);
    await journal.write([add(1), add(2)]);
    await journal.close();
    appendFileSync(path, JSON.stringify(add(3)).slice(0, 50));

    const reopened = await open(path);
    expect(reopened.state.entries.map((entry) => entry.seq)).toEqual([1, 2]);
    await reopened.journal.write([add(4)]);
    await reopened.journal.close();
    expect(await queued(path)).toEqual([1, 2, 4]);
  });

  it('refuses a journal damaged before its last line, naming it, and leaves every byte', async () => {
    const { journal } = await open(path);
    await journal.write([add(1), add(2)]);
    await journal.close();
    const damaged = readFileSync(path, 'utf8').replace('"seq":1', '"seq":"one"');
    writeFileSync(path, damaged);
    await expect(open(path)).rejects.toThrow(OutboxFileError);
    await expect(open(path)).rejects.toThrow(new RegExp(`^${path}: line 1 of the Slack outbox is damaged`));
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });
});

describe.skipIf(missingTool(tmpfsMissing()))(
  'Slack outbox journal on a disk that fills up (a real tmpfs)',
  () => {
    let disk: Tmpfs;
    beforeEach(async () => {
      disk = await mountTmpfs(256 * 1024);
    });
    afterEach(async () => {
      await disk?.unmount();
    });

    it('rejects the write that finds the disk full, naming the file; once space is freed it writes on, losing nothing it said was saved', async () => {
      const path = join(disk.dir, 'state.json.outbox');
      const { journal } = await open(path);
      await journal.write([add(1)]);
      const filler = await fillUp(disk.dir);
      truncateSync(filler, statSync(filler).size - 4096);

      const saved = [1];
      let failure: unknown;
      for (let seq = 2; failure === undefined; seq++) {
        await journal.write([add(seq)]).then(
          () => saved.push(seq),
          (error: unknown) => {
            failure = error;
          },
        );
      }
      expect(failure).toBeInstanceOf(StoreWriteError);
      expect((failure as Error).message).toMatch(new RegExp(`^${path}: the disk is full \\(ENOSPC\\)`));

      rmSync(filler);
      await journal.write([add(1000)]);
      await journal.close();
      expect(await queued(path)).toEqual([...saved, 1000]);
    });
  },
);
