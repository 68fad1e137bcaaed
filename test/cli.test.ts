import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { newJob } from '../src/domain/job.js';
import { JobStore } from '../src/store/job-store.js';
import { sampleEvent } from './support/events.js';

const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;
const pitstop = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [bin, ...args], { reject: false, env: { ...env, LOG_LEVEL: 'silent' } });

describe('pitstop CLI', () => {
  it('lists its commands', async () => {
    const { stdout, exitCode } = await pitstop(['--help']);
    expect(exitCode).toBe(0);
    for (const command of ['serve', 'demo', 'discover', 'approve', 'deny', 'list', 'node', 'health', 'sim']) {
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
