import type { Command } from 'commander';
import { notBuilt } from './errors.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bot: discovery on a schedule, the pipeline, Slack (headless without Slack tokens)')
    .action(() => notBuilt('serve', 'the pipeline and Slack issues'));

  program
    .command('demo')
    .description('run the whole system locally on the embedded OCI, Slurm and Slack simulators')
    .action(() => notBuilt('demo', 'the demo issue'));
}
