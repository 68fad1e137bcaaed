import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { newJob } from '../src/domain/job.js';
import { JobStore } from '../src/store/job-store.js';
import { PauseFile } from '../src/store/pause-file.js';
import { sampleEvent } from './support/events.js';

const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;
const pitstop = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [bin, ...args], { reject: false, env: { ...env, LOG_LEVEL: 'silent' } });

describe('pitstop CLI', () => {
  it('lists its commands', async () => {
    const { stdout, exitCode } = await pitstop(['--help']);
    expect(exitCode).toBe(0);
    for (const command of [
      'serve',
      'demo',
      'discover',
      'approve',
      'deny',
      'pause',
      'unpause',
      'list',
      'history',
      'terminate',
      'node',
      'health',
      'sim',
    ]) {
      expect(stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    }
  });

  it('stops on invalid configuration with every bad variable named', async () => {
    const { stderr, exitCode } = await pitstop(['list'], { MAX_WORKERS: '0', SLACK_MODE: 'webhook' });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^ {2}- MAX_WORKERS: .*>=1 \(got "0"\)$/m);
    expect(stderr).toMatch(/^ {2}- SLACK_MODE: .*"socket".*"http" \(got "webhook"\)$/m);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('lists the active jobs of a state file, with the OCI state as last read and when', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-cli-'));
    const stateFile = join(dir, 'state.json');
    const store = await JobStore.open({ stateFile, auditFile: join(dir, 'audit.jsonl'), clock: systemClock });
    const job = await store.create(newJob(sampleEvent(), new Date('2026-11-30T08:00:00.000Z'), 'gpu-7'));
    await store.apply(job.id, { type: 'approve', by: 'U42', via: 'cli' });
    // A later read (a sweep, or the maintenance phase's poll) found OCI at work.
    const readAt = '2026-11-30T09:15:00.000Z';
    await store.annotate(job.id, { event: { ...job.event, state: 'STARTED' }, eventReadAt: readAt });
    await store.close();

    const table = await pitstop(['list'], { STATE_FILE: stateFile });
    expect(table.stdout).toMatch(/^EVENT\tNODE\tPHASE\tOCI STATE\tREAD AT\tREASON$/m);
    expect(table.stdout).toMatch(
      new RegExp(`${job.eventId}\\tgpu-7\\tdraining\\tSTARTED\\t${readAt}\\tapproved by U42`),
    );
    const json = await pitstop(['list', '--json'], { STATE_FILE: stateFile });
    expect(JSON.parse(json.stdout)).toMatchObject([
      {
        id: job.id,
        eventId: job.eventId,
        node: 'gpu-7',
        phase: 'draining',
        event: { state: 'STARTED' },
        eventReadAt: readAt,
      },
    ]);
  });

  // Seven CLI processes, a few seconds each on a busy machine.
  it('pauses and unpauses without a serve: the pause file and the audit log, shown by list; refused while another holds the state', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-cli-'));
    const env = { STATE_FILE: join(dir, 'state.json'), USER: 'ops' };
    const paused = await pitstop(['pause', '--reason', 'GTC week', '--by', 'alice'], env);
    expect(paused.exitCode).toBe(0);
    expect(paused.stdout).toMatch(
      /^paused by alice at \S+: GTC week\nno pitstop serve on .*state\.json\.sock: recorded in .*state\.json\.pause\.json; the next pitstop serve starts no new drain until pitstop unpause$/,
    );
    expect((await pitstop(['list'], env)).stdout).toMatch(
      /^PAUSED by alice at \S+: GTC week \(no new drain starts until pitstop unpause\)$/m,
    );
    expect(await PauseFile.read(join(dir, 'state.json.pause.json'))).toMatchObject({
      by: 'alice',
      reason: 'GTC week',
    });

    const unpaused = await pitstop(['unpause'], env);
    expect(unpaused.exitCode).toBe(0);
    expect(unpaused.stdout).toMatch(/^unpaused by cli:ops\n/);
    expect((await pitstop(['list'], env)).stdout).not.toContain('PAUSED');
    expect((await pitstop(['unpause'], env)).stdout).toBe('Pitstop was not paused; nothing changed');
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((r) => [r.type, r.by])).toEqual([
      ['paused', 'alice'],
      ['unpaused', 'cli:ops'],
    ]);

    // Another process holds the state (as a serve would, were its socket gone): nothing is written.
    const holder = await JobStore.open({
      stateFile: env.STATE_FILE,
      auditFile: join(dir, 'audit.jsonl'),
      clock: systemClock,
    });
    try {
      const refused = await pitstop(['pause'], env);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/^pitstop: .*lock/);
    } finally {
      await holder.close();
    }
    expect(await PauseFile.read(join(dir, 'state.json.pause.json'))).toBeUndefined();
  });

  it('explains a corrupt state file and leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-cli-'));
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{"schemaVersion":1,');
    const { stderr, exitCode } = await pitstop(['list'], { STATE_FILE: stateFile });
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`${stateFile}: the state file is not valid JSON`);
  });

  it('refuses a demo speed it cannot run at, saying the range', async () => {
    const { stderr, exitCode } = await pitstop(['demo', '--speed', 'fast']);
    expect(exitCode).toBe(2);
    expect(stderr).toBe('pitstop: --speed: expected a number from 0.1 to 100 (2: twice as fast)');
  });
});
