import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { systemClock } from '../../src/clock.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { SlurmCommands } from '../../src/slurm/commands.js';
import { GPUS_PER_NODE, type RunningCluster } from './slurm-cluster.js';
import type { ClusterHarness } from './slurm-contract.js';

/** Fast polls: the test cluster answers in milliseconds. */
export const TEST_POLL = { initialMs: 200, maxMs: 1000 };

export async function slurm(cluster: RunningCluster, command: string, args: string[]): Promise<string> {
  const { stdout } = await execa(command, args, { env: cluster.env, timeout: 15_000 });
  return stdout;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`test cluster: ${what} within ${timeoutMs / 1000}s`);
    await delay(200);
  }
}

export function clusterOver(cluster: RunningCluster): SlurmCluster {
  const commands = new SlurmCommands({ conf: cluster.slurmConf, timeoutMs: 15_000, clock: systemClock });
  return new SlurmCluster(commands, systemClock, TEST_POLL);
}

/** The contract's view of the real test cluster; `reset` puts it back between tests. */
export function realHarness(cluster: RunningCluster): ClusterHarness {
  const stopped = new Set<string>();
  return {
    cluster: clusterOver(cluster),
    clock: systemClock,
    nodes: cluster.nodes,
    gpusPerNode: GPUS_PER_NODE,
    async runSlurmJob(node, seconds) {
      const id = (
        await slurm(cluster, 'sbatch', [
          '--parsable',
          `--nodelist=${node}`,
          '--ntasks=1',
          '--gres=gpu:1',
          '--output=/dev/null',
          `--chdir=${cluster.dir}`,
          '--job-name=contract',
          `--wrap=sleep ${seconds}`,
        ])
      ).trim();
      await until(
        `Slurm job ${id} running`,
        20_000,
        async () => (await slurm(cluster, 'squeue', ['-h', '-j', id, '-o', '%T'])).trim() === 'RUNNING',
      );
      return id;
    },
    async drainAsSomeoneElse(node, reason) {
      await slurm(cluster, 'scontrol', ['update', `NodeName=${node}`, 'State=DRAIN', `Reason=${reason}`]);
    },
    async stopSlurmd(node) {
      stopped.add(node);
      await cluster.stopSlurmd(node);
    },
    async startSlurmd(node) {
      stopped.delete(node);
      await cluster.startSlurmd(node);
    },
    async reserve(name, nodes, startInS, minutes) {
      await slurm(cluster, 'scontrol', [
        'create',
        'reservation',
        `ReservationName=${name}`,
        `StartTime=now+${startInS}`,
        `Duration=${minutes}`,
        `Nodes=${nodes.join(',')}`,
        'Users=root',
      ]);
    },
    pass: (ms) => delay(ms),
    async reset() {
      for (const reservation of await clusterOver(cluster).reservations()) {
        await slurm(cluster, 'scontrol', ['delete', `ReservationName=${reservation.name}`]);
      }
      for (const node of stopped) await cluster.startSlurmd(node);
      stopped.clear();
      const ids = (await slurm(cluster, 'squeue', ['-h', '-o', '%i'])).split('\n').filter(Boolean);
      if (ids.length > 0) await slurm(cluster, 'scancel', ids);
      await until(
        'no Slurm jobs left',
        20_000,
        async () => !(await slurm(cluster, 'squeue', ['-h', '-o', '%i'])).trim(),
      );
      const states = (await slurm(cluster, 'sinfo', ['-h', '-N', '-o', '%N %t'])).split('\n');
      for (const line of states) {
        const [node, state] = line.split(' ');
        if (state !== 'idle') {
          await execa('scontrol', ['update', `NodeName=${node}`, 'State=RESUME'], {
            env: cluster.env,
            reject: false,
          });
        }
      }
      await until('every node idle again', 30_000, async () =>
        (await slurm(cluster, 'sinfo', ['-h', '-N', '-o', '%t']))
          .split('\n')
          .every((state) => state === 'idle'),
      );
    },
  };
}
