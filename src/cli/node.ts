import type { Command } from 'commander';
import { notBuilt } from './errors.js';

export function registerNode(program: Command): void {
  const node = program.command('node').description('inspect, drain and resume Slurm nodes by hand');
  for (const [name, description] of [
    ['status', "show a node's state, reason, GPUs and the Slurm jobs on it"],
    ['drain', 'drain a node with a pitstop: reason'],
    ['resume', 'resume a node that Pitstop drained'],
  ] as const) {
    node
      .command(`${name} <node>`)
      .description(description)
      .option('--reason <text>', 'reason recorded in Slurm')
      .option('--wait', 'wait until the node is drained')
      .option('--force', 'resume even when the reason is not ours')
      .option('--json', 'print JSON')
      .action(() => notBuilt(`node ${name}`, 'the Slurm issue'));
  }
}
