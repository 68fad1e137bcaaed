import { Command } from 'commander';
import { registerDemo } from './cli/demo.js';
import { registerDiscover } from './cli/discover.js';
import { CliError } from './cli/errors.js';
import { registerHealth } from './cli/health.js';
import { registerHistory } from './cli/history.js';
import { registerJobs } from './cli/jobs.js';
import { registerNode } from './cli/node.js';
import { registerPause } from './cli/pause.js';
import { registerServe } from './cli/serve.js';
import { registerSim } from './cli/sim.js';
import { registerTerminate } from './cli/terminate.js';
import { ConfigError } from './config.js';
import { CloudError } from './oci/errors.js';
import { SlackStartError } from './slack/auth.js';
import { OutboxFileError } from './slack/outbox/journal.js';
import { SlurmError } from './slurm/errors.js';
import { StoreFileError } from './store/job-store.js';
import { LooseModeError } from './store/owner-only.js';
import { StateLockedError } from './store/state-lock.js';
import { StoreWriteError } from './store/write-error.js';

export function buildProgram(): Command {
  const program = new Command('pitstop')
    .description('Takes Slurm GPU nodes on OCI through their maintenance events, approved in Slack')
    .showHelpAfterError();
  registerServe(program);
  registerDemo(program);
  registerDiscover(program);
  registerJobs(program);
  registerPause(program);
  registerHistory(program);
  registerTerminate(program);
  registerNode(program);
  registerHealth(program);
  registerSim(program);
  return program;
}

/** Errors whose message tells the operator what to do: printed without a stack, exit 1. */
const OPERATOR_ERRORS = [
  CliError,
  ConfigError,
  StoreFileError,
  StateLockedError,
  CloudError,
  SlurmError,
  SlackStartError,
  OutboxFileError,
  LooseModeError,
  StoreWriteError,
];

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (!OPERATOR_ERRORS.some((kind) => error instanceof kind)) throw error;
    process.stderr.write(`pitstop: ${(error as Error).message}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

await main(process.argv);
