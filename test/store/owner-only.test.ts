/**
 * The store's files are created owner-only (0600, directories 0700) whatever the umask, and
 * ones that are looser are refused (another user may change them) or warned about (others may
 * read them). The Slack outbox's journal, beside the state file, is held to the same.
 */
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { OutboxJournal } from '../../src/slack/outbox/journal.js';
import { JobStore, pauseFileOf } from '../../src/store/job-store.js';
import { LooseModeError } from '../../src/store/owner-only.js';
import { sampleEvent } from '../support/events.js';
import { missingTool } from '../support/system-tools.js';

const clock = new ManualClock('2026-12-01T09:00:00Z');
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
let root: string;
let stateFile: string;
let auditFile: string;
let warnings: string[];
const open = () => JobStore.open({ stateFile, auditFile, clock, warn: (message) => warnings.push(message) });
const openJournal = () => OutboxJournal.open(`${stateFile}.outbox`, () => []);

let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitstop-modes-'));
  stateFile = join(root, 'state', 'nested', 'state.json');
  auditFile = join(root, 'audit', 'audit.jsonl');
  warnings = [];
  umask = process.umask();
});
afterEach(() => {
  process.umask(umask);
});

describe('store files and directories created owner-only', () => {
  it.each([
    ['0000', 0o000],
    ['0022', 0o022],
    ['0277', 0o277],
  ])('creates every file 0600 and every directory 0700 under umask %s', async (_, mask) => {
    process.umask(mask);
    const store = await open();
    expect(mode(`${stateFile}.lock`)).toBe('600');
    const job = await store.create(newJob(sampleEvent(), clock.now(), 'gpu-1'));
    await store.apply(job.id, { type: 'approve', by: 'U1', via: 'cli' });
    await store.setPaused({ by: 'U1', reason: 'change freeze', at: clock.now().toISOString() });
    const { journal } = await openJournal();
    await journal.write([{ done: 1 }]);
    await journal.close();
    await store.close();

    for (const dir of [join(root, 'state', 'nested'), join(root, 'audit')]) expect(mode(dir)).toBe('700');
    for (const file of [
      stateFile,
      `${stateFile}.wal`,
      auditFile,
      pauseFileOf(stateFile),
      `${stateFile}.outbox`,
    ]) {
      expect([file, mode(file)]).toEqual([file, '600']);
    }
    expect(warnings).toEqual([]);
  });
});

describe('store files and directories that are already there', () => {
  beforeEach(() => {
    mkdirSync(join(root, 'state', 'nested'), { recursive: true, mode: 0o700 });
    mkdirSync(join(root, 'audit'), { mode: 0o700 });
  });

  it('warns about a directory or file others may read, naming the chmod to run, and starts', async () => {
    chmodSync(join(root, 'audit'), 0o755);
    writeFileSync(auditFile, '');
    chmodSync(auditFile, 0o644);
    const store = await open();
    await store.close();
    expect(warnings).toEqual([
      `${join(root, 'audit')}: this directory is readable by other users (mode 0755); run chmod 700 ${join(root, 'audit')}, or give Pitstop a directory of its own`,
      `${auditFile}: this file is readable by other users (mode 0644); run chmod 600 ${auditFile}`,
    ]);
    // A warning changes nothing: the operator's chmod does.
    expect(mode(auditFile)).toBe('644');
  });

  it('refuses a state directory other users may write to, and creates nothing in it', async () => {
    const dir = join(root, 'state', 'nested');
    chmodSync(dir, 0o777);
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LooseModeError);
    expect((error as Error).message).toBe(
      `${dir}: this directory is writable by every user (mode 0777), so another user could change what ` +
        `Pitstop acts on. Pitstop did not start. Run chmod 700 ${dir}, or point the setting at a new directory (Pitstop creates it 0700).`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['a state file', () => stateFile, JSON.stringify({ schemaVersion: 1, jobs: {}, finished: {} })],
    ['a write-ahead log', () => `${stateFile}.wal`, ''],
    ['an audit log', () => auditFile, '{"type":"paused","by":"U1","seq":1}\n'],
    ['a pause file', () => pauseFileOf(stateFile), '{"paused":null}'],
  ])('refuses %s its group may write to, and leaves it as it was', async (_, path, text) => {
    writeFileSync(path(), text);
    chmodSync(path(), 0o664);
    await expect(open()).rejects.toThrow(
      new RegExp(
        `^${path()}: this file is writable by its group \\(mode 0664\\).*run chmod 600 ${path()}\\.$`,
      ),
    );
    expect(readFileSync(path(), 'utf8')).toBe(text);
    expect(mode(path())).toBe('664');
    expect(readdirSync(join(root, 'state', 'nested')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('holds the Slack outbox journal to the same: a warning when others may read it, a refusal when they may write', async () => {
    const journalFile = `${stateFile}.outbox`;
    writeFileSync(journalFile, '{"done":1}\n');
    chmodSync(journalFile, 0o644);
    const { journal, warning } = await openJournal();
    await journal.close();
    expect(warning).toBe(
      `${journalFile}: this file is readable by other users (mode 0644); run chmod 600 ${journalFile}`,
    );
    chmodSync(journalFile, 0o646);
    await expect(openJournal()).rejects.toThrow(/outbox: this file is writable by every user \(mode 0646\)/);
    expect(readFileSync(journalFile, 'utf8')).toBe('{"done":1}\n');
  });
});

describe.skipIf(
  missingTool(
    process.getuid?.() === 0 ? null : 'giving a file to another user needs root: run the tests as root',
  ),
)('a store file owned by another user', () => {
  beforeEach(() => mkdirSync(join(root, 'audit'), { mode: 0o700 }));
  it('refuses a file another user owns (they may change it)', async () => {
    writeFileSync(auditFile, '');
    chmodSync(auditFile, 0o600);
    chownSync(auditFile, 65534, 65534);
    await expect(open()).rejects.toThrow(
      /audit\.jsonl: this file belongs to uid 65534, not to Pitstop's user \(uid 0\)/,
    );
  });
});
