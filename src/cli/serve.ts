import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { buildSystem, stopOnSignal } from './wire.js';

/**
 * The bot: the system `buildSystem` wires from the configuration (Slack with SLACK_BOT_TOKEN, else headless), GET /healthz on
 * PORT and the decisions of `pitstop approve|deny` on the control socket beside the state file.
 */
async function serve(): Promise<void> {
  const config = loadConfig();
  const system = await buildSystem(config, createLogger(config.logLevel));
  const stopped = stopOnSignal(system.stop);
  await system.start();
  await stopped;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bot: discovery on a schedule, the pipeline, Slack (headless without Slack tokens)')
    .action(serve);
}
