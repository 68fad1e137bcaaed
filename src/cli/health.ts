import type { Command } from 'commander';
import { notBuilt } from './errors.js';

export function registerHealth(program: Command): void {
  const health = program.command('health').description('GPU health checks and their verdicts');
  health
    .command('parse <file>')
    .description('parse one command output into a verdict (exit 0 PASS, 1 FAIL, 2 ERROR)')
    .requiredOption(
      '--format <format>',
      'nvidia-smi-q | nvidia-smi-nvlink | dmesg | dcgmi-diag-json | oci-hpc',
    )
    .option('--expect-gpus <n>', 'GPUs the node should have')
    .option('--json', 'print the verdict as JSON')
    .action(() => notBuilt('health parse', 'the health issue'));
  health
    .command('run <node>')
    .description('run the configured checks on a node')
    .option('--json', 'print the verdict as JSON')
    .action(() => notBuilt('health run', 'the health issue'));
}
