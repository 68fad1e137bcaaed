import type { Command } from 'commander';
import { notBuilt } from './errors.js';

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('sweep every compartment for maintenance events and map them to Slurm nodes')
    .option('--once', 'one sweep, then exit')
    .option('--json', 'print the events as JSON')
    .action(() => notBuilt('discover', 'the OCI issue'));
}
