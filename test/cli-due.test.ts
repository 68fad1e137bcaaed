import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { newJob } from '../src/domain/job.js';
import { JobStore } from '../src/store/job-store.js';
import { sampleEvent } from './support/events.js';

const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;
const pitstop = (args: string[], env: Record<string, string>) =>
  execa('node', [bin, ...args], { reject: false, env: { ...env, LOG_LEVEL: 'silent', USER: 'tester' } });

/** A state file with one job on gpu-7: approved, its drain warned of the hard due date. */
async function warnedJob(approved = true) {
  const dir = await mkdtemp(join(tmpdir(), 'pitstop-cli-due-'));
  const stateFile = join(dir, 'state.json');
  const auditFile = join(dir, 'audit.jsonl');
  const store = await JobStore.open({ stateFile, auditFile, clock: systemClock });
  const job = await store.create(newJob(sampleEvent(), new Date(), 'gpu-7'));
  if (approved) {
    await store.apply(job.id, { type: 'approve', by: 'U42', via: 'cli' });
    await store.apply(job.id, { type: 'due_warned', slurmJobs: [] });
  }
  await store.close();
  return { job, stateFile, auditFile, env: { STATE_FILE: stateFile } };
}

describe('pitstop proceed / leave-to-oci with no serve running', () => {
  it('lists both commands', async () => {
    const { stdout } = await pitstop(['--help'], {});
    expect(stdout).toMatch(/^ {2}proceed \[options\] <event-or-node>/m);
    expect(stdout).toMatch(/^ {2}leave-to-oci \[options\] <event-or-node>/m);
  });

  it('records the decision in the state file for the next serve, audited; a second one is refused as decided', async () => {
    const { job, stateFile, auditFile, env } = await warnedJob();
    const proceed = await pitstop(['proceed', 'gpu-7', '--by', 'ops'], env);
    expect(proceed.stderr).toBe('');
    expect(proceed.exitCode).toBe(0);
    expect(proceed.stdout).toMatch(
      new RegExp(`^proceeding ${job.eventId} \\(gpu-7\\): draining \\(ops chose to proceed now\\)`),
    );
    expect(proceed.stdout).toMatch(
      /recorded in .*state\.json; the next pitstop serve stops waiting for the Slurm jobs/,
    );
    expect((await JobStore.read(stateFile)).jobs[job.id]?.dueDecision).toMatchObject({
      choice: 'proceed',
      by: 'ops',
      via: 'cli',
    });
    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.at(-1)).toMatchObject({
      type: 'transition',
      jobId: job.id,
      from: 'draining',
      to: 'draining',
      action: { type: 'due_decided', choice: 'proceed', by: 'ops' },
    });

    const leave = await pitstop(['leave-to-oci', job.eventId], env);
    expect(leave.exitCode).toBe(1);
    expect(leave.stderr).toMatch(/leave-to-oci .*: .*already decided: ops chose to proceed now/);
    expect((await JobStore.read(stateFile)).jobs[job.id]?.dueDecision?.choice).toBe('proceed');
  });

  it('refuses a decision for a job not in drain, deciding nothing', async () => {
    const { job, stateFile, env } = await warnedJob(false);
    const leave = await pitstop(['leave-to-oci', 'gpu-7'], env);
    expect(leave.exitCode).toBe(1);
    expect(leave.stderr).toMatch(/the job is not approved yet: approve or deny it first/);
    expect((await JobStore.read(stateFile)).jobs[job.id]?.dueDecision).toBeUndefined();
  });
});
