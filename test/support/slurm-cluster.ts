/**
 * A real Slurm cluster on one machine, for the integration tests and for trying Pitstop by hand:
 * a private munged, slurmctld and four `slurmd -N gpu-K` (8 placeholder "GPUs" each), all under
 * one temp dir with free ports, so it never touches /etc/slurm or a system munged and several can
 * run side by side. It stops exactly the PIDs it started (recorded in DIR/pids).
 *
 *   npx tsx test/support/slurm-cluster.ts start            # prints {"dir","slurmConf",...}
 *   SLURM_CONF=<dir>/slurm.conf npx pitstop node status gpu-1
 *   npx tsx test/support/slurm-cluster.ts stop <dir>
 *
 * Needs root and Debian's slurmctld slurmd slurm-client munge packages.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port.js';

export const TEST_NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'] as const;
export const GPUS_PER_NODE = 8;
const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;
const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin'];

export interface RunningCluster {
  dir: string;
  slurmConf: string;
  /** Environment for Slurm commands against this cluster. */
  env: Record<string, string>;
  nodes: readonly string[];
  stopSlurmd(node: string): Promise<void>;
  startSlurmd(node: string): Promise<void>;
  /** Stops slurmctld (its state saved, as on a real outage); `startController` brings it back with that state. */
  stopController(): Promise<void>;
  startController(): Promise<void>;
  /** Stops every daemon it started, and removes the dir when it made it. */
  stop(): Promise<void>;
}

/** Where a binary is, or an error saying which package provides it. */
export function findBinary(name: string): string {
  for (const dir of SEARCH_PATH) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new Error(
    `${name} is not installed: apt-get install -y slurmctld slurmd slurm-client munge (as root)`,
  );
}

/** Null when this machine can run the test cluster, else what is missing. */
export function slurmUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'the test Slurm cluster needs root (slurmd runs jobs as any user)';
  try {
    for (const binary of ['munged', 'mungekey', 'slurmctld', 'slurmd', 'scontrol', 'sinfo', 'sbatch'])
      findBinary(binary);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function slurmConf(dir: string, controllerPort: number, nodePorts: number[]): string {
  const host = hostname().split('.')[0]!;
  const nodeLines = TEST_NODES.map(
    (node, i) =>
      `NodeName=${node} NodeHostname=${host} NodeAddr=127.0.0.1 Port=${nodePorts[i]} CPUs=2 ` +
      `RealMemory=1000 Gres=gpu:h100:${GPUS_PER_NODE} State=UNKNOWN`,
  );
  return `${[
    'ClusterName=pitstop-test',
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${controllerPort}`,
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${dir}/munge.socket`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'SchedulerType=sched/backfill',
    // Schedules pending Slurm jobs every second instead of every minute, so tests need not wait.
    'SchedulerParameters=sched_interval=1,bf_interval=1',
    'MpiDefault=none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    // A stopped slurmd (a "reboot") comes back to service on its own when it registers again.
    'ReturnToService=2',
    // Seconds, not the default 300: the tests see a stopped slurmd as not responding quickly.
    'SlurmdTimeout=10',
    'GresTypes=gpu',
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool/%n`,
    `SlurmctldPidFile=${dir}/run/slurmctld.pid`,
    `SlurmdPidFile=${dir}/run/slurmd-%n.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd-%n.log`,
    ...nodeLines,
    `PartitionName=gpu Nodes=${TEST_NODES.join(',')} Default=YES MaxTime=INFINITE State=UP`,
  ].join('\n')}\n`;
}

function spawnDaemon(dir: string, label: string, binary: string, args: string[]): ChildProcess {
  const out = openSync(join(dir, 'log', `${label}.out`), 'a');
  // Detached, so a `start` from the command line can exit and leave the cluster running.
  const child = spawn(findBinary(binary), args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${binary} (see ${dir}/log/${label}.out)`);
  writeFileSync(join(dir, 'pids'), `${child.pid} ${binary} ${label}\n`, { flag: 'a' });
  return child;
}

function slurmCommand(env: Record<string, string>, command: string, args: string[]): string {
  return execFileSync(findBinary(command), args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitFor(what: string, logHint: string, timeoutMs: number, check: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (check()) return;
    } catch {}
    await delay(250);
  }
  throw new Error(`test Slurm cluster: ${what} within ${timeoutMs / 1000}s (see ${logHint})`);
}

function isAlive(pid: number, binary: string): boolean {
  try {
    // Guards against a recycled PID: only ever signal the program we started.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(binary);
  } catch {
    return false;
  }
}

async function killAndWait(pid: number, binary: string): Promise<void> {
  if (!isAlive(pid, binary)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && isAlive(pid, binary); i++) await delay(250);
  if (isAlive(pid, binary)) process.kill(pid, 'SIGKILL');
}

/** Stops the daemons recorded in DIR/pids (and only those), controller last. */
export async function stopCluster(dir: string): Promise<void> {
  let lines: string[];
  try {
    lines = readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return;
  }
  const order = (binary: string) => -DAEMONS.indexOf(binary as (typeof DAEMONS)[number]);
  const started = lines
    .map((line) => line.split(' '))
    .map(([pid, binary]) => ({ pid: Number(pid), binary: binary! }))
    .sort((a, b) => order(a.binary) - order(b.binary));
  for (const { pid, binary } of started) await killAndWait(pid, binary);
}

/** Kills the daemons of DIR/pids at once (no waiting): for a test process that exits early. */
function killNow(dir: string): void {
  try {
    for (const line of readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n')) {
      const [pid, binary] = line.split(' ');
      if (isAlive(Number(pid), binary!)) process.kill(Number(pid), 'SIGKILL');
    }
  } catch {}
}

export async function startCluster(
  options: { dir?: string; timeoutMs?: number; keepAfterExit?: boolean } = {},
): Promise<RunningCluster> {
  const unavailable = slurmUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'pitstop-slurm-'));
  const ownsDir = options.dir === undefined;
  // A test run that dies before its afterAll must not leave the daemons running.
  const onExit = () => killNow(dir);
  if (!options.keepAfterExit) process.once('exit', onExit);
  const timeoutMs = options.timeoutMs ?? 60_000;
  // munged wants every directory on its socket path searchable by all.
  chmodSync(dir, 0o755);
  for (const sub of ['state', 'spool', 'run', 'log', 'dev']) mkdirSync(join(dir, sub), { recursive: true });
  for (let i = 0; i < GPUS_PER_NODE; i++) writeFileSync(join(dir, 'dev', `nvidia${i}`), '');

  const [controllerPort, ...nodePorts] = await Promise.all([freePort(), ...TEST_NODES.map(freePort)]);
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, slurmConf(dir, controllerPort!, nodePorts));
  writeFileSync(
    join(dir, 'gres.conf'),
    `NodeName=${TEST_NODES.join(',')} Name=gpu Type=h100 File=${dir}/dev/nvidia[0-${GPUS_PER_NODE - 1}]\n`,
  );
  const env = { SLURM_CONF: conf, SLURM_TIME_FORMAT: 'standard' };
  const slurmdPids = new Map<string, number>();
  let controllerPid: number | undefined;

  const startSlurmd = async (node: string) => {
    const child = spawnDaemon(dir, `slurmd-${node}`, 'slurmd', ['-D', '-N', node, '-f', conf]);
    slurmdPids.set(node, child.pid!);
  };

  try {
    const key = join(dir, 'munge.key');
    execFileSync(findBinary('mungekey'), ['--create', `--keyfile=${key}`]);
    spawnDaemon(dir, 'munged', 'munged', [
      '--foreground',
      `--socket=${dir}/munge.socket`,
      `--key-file=${key}`,
      `--pid-file=${dir}/run/munged.pid`,
      `--seed-file=${dir}/munged.seed`,
      `--log-file=${dir}/log/munged.log`,
    ]);
    await waitFor('munged did not answer', `${dir}/log/munged.out`, 10_000, () => {
      execFileSync(findBinary('munge'), ['-n', `--socket=${dir}/munge.socket`], { stdio: 'ignore' });
      return true;
    });
    // -i: ignore saved state, every run starts from slurm.conf.
    controllerPid = spawnDaemon(dir, 'slurmctld', 'slurmctld', ['-D', '-i', '-f', conf]).pid;
    await waitFor('slurmctld did not answer', `${dir}/log/slurmctld.log`, timeoutMs, () =>
      slurmCommand(env, 'scontrol', ['ping']).includes('UP'),
    );
    for (const node of TEST_NODES) await startSlurmd(node);
    await waitFor('not every node became idle', `${dir}/log/slurmd-*.log`, timeoutMs, () => {
      const states = slurmCommand(env, 'sinfo', ['-h', '-N', '-o', '%N %t']).trim().split('\n');
      return states.length === TEST_NODES.length && states.every((line) => line.endsWith(' idle'));
    });
  } catch (error) {
    await stopCluster(dir);
    throw error;
  }

  return {
    dir,
    slurmConf: conf,
    env,
    nodes: TEST_NODES,
    startSlurmd,
    stopSlurmd: async (node) => {
      const pid = slurmdPids.get(node);
      if (pid) await killAndWait(pid, 'slurmd');
      slurmdPids.delete(node);
    },
    stopController: async () => {
      if (controllerPid) await killAndWait(controllerPid, 'slurmctld');
      controllerPid = undefined;
    },
    startController: async () => {
      controllerPid = spawnDaemon(dir, 'slurmctld', 'slurmctld', ['-D', '-f', conf]).pid;
      await waitFor('slurmctld did not answer', `${dir}/log/slurmctld.log`, timeoutMs, () =>
        slurmCommand(env, 'scontrol', ['ping']).includes('UP'),
      );
    },
    stop: async () => {
      process.off('exit', onExit);
      await stopCluster(dir);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const [command, dir] = argv;
  if (command === 'start') {
    const cluster = await startCluster({ ...(dir ? { dir } : {}), keepAfterExit: true });
    process.stdout.write(
      `${JSON.stringify({ dir: cluster.dir, slurmConf: cluster.slurmConf, nodes: cluster.nodes })}\n`,
    );
  } else if (command === 'stop' && dir) {
    await stopCluster(dir);
  } else {
    process.stderr.write('usage: slurm-cluster.ts start [DIR] | stop DIR\n');
    process.exitCode = 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
