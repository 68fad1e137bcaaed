/**
 * The command adapter against stand-in scontrol/squeue scripts that record how they were called:
 * argument arrays, environment, retries, timeouts. (The real commands: test/integration.)
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { SlurmCommands } from '../../src/slurm/commands.js';
import { SlurmError, SlurmUnreachableError, UnknownNodeError } from '../../src/slurm/errors.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/slurm');
const IDLE_NODE = readFileSync(join(FIXTURES, 'scontrol-show-node-o_22.05_gpu8-idle.txt'), 'utf8');

let dir: string;
let conf: string;
const sleeps: number[] = [];

/** A stand-in for a Slurm command: records its arguments per call, then runs `behaviour`. */
function fakeCommand(name: string, behaviour: string): void {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh
n=$(cat "${dir}/calls" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${dir}/calls"
for a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/args-$n"
echo "$SLURM_CONF|$SLURM_TIME_FORMAT" > "${dir}/env"
${behaviour}
`,
  );
  chmodSync(path, 0o755);
}

const calls = () => (existsSync(join(dir, 'calls')) ? Number(readFileSync(join(dir, 'calls'), 'utf8')) : 0);
const argsOf = (call: number) =>
  readFileSync(join(dir, `args-${call}`), 'utf8')
    .split('\n')
    .slice(0, -1);

function commands(options: { timeoutMs?: number; attempts?: number } = {}) {
  const clock = new ManualClock('2026-11-25T18:00:00Z', true);
  const spyClock = {
    now: () => clock.now(),
    sleep: (ms: number) => {
      sleeps.push(ms);
      return clock.sleep(ms);
    },
  };
  return new SlurmCommands({
    binDir: dir,
    conf,
    timeoutMs: options.timeoutMs ?? 5_000,
    clock: spyClock,
    retry: { attempts: options.attempts ?? 3, initialMs: 50 },
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-fake-slurm-'));
  conf = join(dir, 'slurm.conf');
  writeFileSync(conf, 'ClusterName=fake\n');
  writeFileSync(join(dir, 'idle.txt'), IDLE_NODE);
  sleeps.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SlurmCommands', () => {
  it('passes a reason as one argument, never through a shell, with SLURM_CONF and standard times', async () => {
    fakeCommand('scontrol', 'exit 0');
    const reason = 'pitstop: "quoted" $(touch pwned) `id`; rm -rf / && a=b';
    await commands().updateNode('gpu-1', { state: 'DRAIN', reason });
    expect(argsOf(1)).toEqual(['update', 'NodeName=gpu-1', 'State=DRAIN', `Reason=${reason}`]);
    expect(readFileSync(join(dir, 'env'), 'utf8').trim()).toBe(`${conf}|standard`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('reads a node and the Slurm jobs on it', async () => {
    fakeCommand('scontrol', `cat "${dir}/idle.txt"`);
    fakeCommand('squeue', `echo '7|alice|train|with|pipes|RUNNING|1:00|2:00:00|gres:gpu:8'`);
    const [status] = await commands().showNodes('gpu-1');
    expect(status).toMatchObject({ name: 'gpu-1', drain: 'none', gpus: 8 });
    expect(argsOf(1)).toEqual(['show', 'node', '-o', 'gpu-1']);
    const [slurmJob] = await commands().slurmJobsOn('gpu-1');
    expect(slurmJob).toMatchObject({ id: '7', name: 'train|with|pipes', gres: 'gres:gpu:8' });
    expect(argsOf(2)).toEqual(['--noheader', '--nodelist', 'gpu-1', '--format', '%i|%u|%j|%T|%M|%l|%b']);
  });

  it('runs nothing for a node name with shell metacharacters', async () => {
    fakeCommand('scontrol', `cat "${dir}/idle.txt"`);
    const cluster = new SlurmCluster(commands(), new ManualClock());
    for (const bad of ['gpu-1;touch x', 'gpu-1 State=DOWN', '$(reboot)', '../gpu-1', '']) {
      await expect(cluster.status(bad)).rejects.toThrow(/not a Slurm node name.*nothing was run/);
      await expect(cluster.drain(bad, 'pitstop: x')).rejects.toThrow(SlurmError);
      await expect(cluster.resume(bad, { force: true })).rejects.toThrow(SlurmError);
    }
    expect(calls()).toBe(0);
    await cluster.status('gpu-1');
    expect(calls()).toBe(1);
  });

  it('retries an unreachable slurmctld with back-off, then says what to check', async () => {
    fakeCommand(
      'scontrol',
      `echo 'slurm_load_node error: Unable to contact slurm controller (connect failure)' >&2; exit 1`,
    );
    const error = await commands()
      .showNodes('gpu-1')
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(SlurmUnreachableError);
    expect((error as Error).message).toMatch(
      /node gpu-1: `scontrol show node -o gpu-1` could not reach slurmctld after 3 attempts/,
    );
    expect((error as Error).message).toContain('scontrol ping');
    expect((error as Error).message).toContain(conf);
    expect(calls()).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('carries on when slurmctld answers again', async () => {
    fakeCommand(
      'scontrol',
      `if [ "$n" -lt 2 ]; then echo 'Unable to contact slurm controller (connect failure)' >&2; exit 1; fi; cat "${dir}/idle.txt"`,
    );
    const [status] = await commands().showNodes('gpu-1');
    expect(status!.name).toBe('gpu-1');
    expect(calls()).toBe(2);
  });

  it("does not retry a refusal, and passes Slurm's words on", async () => {
    const refusal = readFileSync(
      join(FIXTURES, 'scontrol-update-drain-no-reason_22.05_refused.txt'),
      'utf8',
    ).split('\n')[0];
    fakeCommand('scontrol', `echo '${refusal}' >&2; exit 1`);
    await expect(commands().updateNode('gpu-1', { state: 'DRAIN', reason: 'pitstop: x' })).rejects.toThrow(
      refusal,
    );
    expect(calls()).toBe(1);
  });

  it('tells an unknown node apart', async () => {
    fakeCommand('scontrol', `echo 'Node gpu-99 not found'; exit 1`);
    await expect(commands().showNodes('gpu-99')).rejects.toThrow(UnknownNodeError);
    expect(calls()).toBe(1);
  });

  it('times out a hung command, and counts it as unreachable', async () => {
    fakeCommand('scontrol', 'exec sleep 10');
    const error = await commands({ timeoutMs: 200, attempts: 2 })
      .showNodes('gpu-1')
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(SlurmUnreachableError);
    expect((error as Error).message).toContain('no answer within 200 ms');
    expect(calls()).toBe(2);
  });

  it('says which package is missing, and that SLURM_CONF is wrong, without waiting', async () => {
    await expect(commands().showNodes('gpu-1')).rejects.toThrow(/scontrol not found: install slurm-client/);
    fakeCommand('scontrol', 'exit 0');
    conf = join(dir, 'missing.conf');
    await expect(commands().showNodes('gpu-1')).rejects.toThrow(/SLURM_CONF=.*missing.conf does not exist/);
    expect(calls()).toBe(0);
  });
});
