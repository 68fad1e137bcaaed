import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import {
  drainOwner,
  handReason,
  type NodeStatus,
  ownerLabel,
  PITSTOP_REASON_PREFIX,
  type SlurmJob,
} from '../domain/node.js';
import type { Cluster } from '../ports.js';
import { slurmClusterFromConfig } from '../slurm/from-config.js';
import { describeSlurmJobs } from '../slurm/waits.js';
import { CliError } from './errors.js';

const print = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

function describeStatus(status: NodeStatus, slurmJobs: SlurmJob[]): string {
  const state = [status.state, ...status.flags].join('+');
  const lines = [
    `${status.name}  ${state}  (${status.drain === 'none' ? 'not drained' : status.drain}, ${status.responding ? 'responding' : 'NOT responding'})`,
  ];
  if (status.reason) {
    const by = [status.reasonUser, status.reasonTime].filter(Boolean).join(', ');
    lines.push(`  reason: ${status.reason}${by ? ` (${by})` : ''} [${ownerLabel(status.reason)}]`);
  }
  lines.push(
    `  GPUs: ${status.gpus}${status.gpuType ? ` x ${status.gpuType}` : ''}   partitions: ${status.partitions.join(',') || '-'}   address: ${status.address ?? '-'}`,
    `  slurmd registered: ${status.slurmdStartTime ?? '-'}   booted: ${status.bootTime ?? '-'}`,
    `  Slurm jobs: ${slurmJobs.length === 0 ? 'none' : describeSlurmJobs(slurmJobs)}`,
  );
  return lines.join('\n');
}

/** Runs one node command; Slurm's errors become operator errors (message, no stack). */
interface NodeCommandContext {
  cluster: Cluster;
  drainTimeoutMs: number;
}

function withCluster<A extends unknown[]>(
  run: (context: NodeCommandContext, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    const config = loadConfig();
    const cluster = slurmClusterFromConfig(config.slurm, systemClock);
    await run({ cluster, drainTimeoutMs: config.pipeline.drainTimeoutMs }, ...args);
  };
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('inspect, drain and resume Slurm nodes by hand');

  node
    .command('status <node>')
    .description("show a node's state, reason, GPUs and the Slurm jobs on it")
    .option('--json', 'print JSON')
    .action(
      withCluster(async ({ cluster }, name: string, options: { json?: boolean }) => {
        const status = await cluster.status(name);
        const slurmJobs = await cluster.slurmJobsOn(name);
        if (options.json) printJson({ status, slurmJobs, drainOwner: drainOwner(status.reason) ?? null });
        else print(describeStatus(status, slurmJobs));
      }),
    );

  node
    .command('drain <node>')
    .description(
      `hold a node out with a reason (prefixed "${PITSTOP_REASON_PREFIX}"): an operator's hold, which no job claims or resumes`,
    )
    .option('--reason <text>', 'why, recorded in Slurm', 'drained by hand with pitstop node drain')
    .option('--wait', 'wait until its Slurm jobs have ended (up to DRAIN_TIMEOUT)')
    .option('--json', 'print JSON')
    .action(
      withCluster(
        async (
          { cluster, drainTimeoutMs },
          name: string,
          options: { reason: string; wait?: boolean; json?: boolean },
        ) => {
          const result = await cluster.drain(name, handReason(options.reason));
          if (!result.ours) throw new CliError(`${result.why}; nothing was changed.`);
          const status = options.wait
            ? await cluster.waitDrained(name, {
                deadline: new Date(systemClock.now().getTime() + drainTimeoutMs),
                onProgress: (message) => process.stderr.write(`${message}\n`),
              })
            : await cluster.status(name);
          if (options.json) printJson({ status });
          else
            print(
              `${name} is ${status.drain} (${[status.state, ...status.flags].join('+')}): ${status.reason}`,
            );
        },
      ),
    );

  node
    .command('resume <node>')
    .description(
      "resume a node held by pitstop node drain (a job's or anyone else's drain only with --force)",
    )
    .option('--force', "resume even when the reason is a job's or someone else's")
    .option('--json', 'print JSON')
    .action(
      withCluster(async ({ cluster }, name: string, options: { force?: boolean; json?: boolean }) => {
        const result = await cluster.resume(name, { force: options.force ?? false });
        if (!result.resumed) throw new CliError(result.why);
        const status = await cluster.status(name);
        if (options.json) printJson({ status });
        else print(`${name} resumed: ${[status.state, ...status.flags].join('+')}`);
      }),
    );
}
