import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import type { PauseState } from '../domain/pause.js';
import { PAUSE_PATHS, PauseReply } from '../orchestrator/control.js';
import { checkSocketPath } from '../orchestrator/control-socket.js';
import { recordPause, recordUnpause } from '../orchestrator/pause.js';
import { JobStore, pauseFileOf } from '../store/job-store.js';
import { PauseFile } from '../store/pause-file.js';
import { askServe, cliCaller } from './control-client.js';
import { CliError } from './errors.js';

type PauseAction = keyof typeof PAUSE_PATHS;

/** No serve running: take the state lock and write the pause file (and the audit line) ourselves. */
async function pauseLocally(
  stateFile: string,
  auditFile: string,
  action: PauseAction,
  by: string,
  reason: string,
): Promise<PauseState | undefined> {
  const store = await JobStore.open({ stateFile, auditFile, clock: systemClock });
  try {
    if (action === 'pause') return await recordPause(store, systemClock, by, reason);
    if (store.paused()) await recordUnpause(store, by);
    return undefined;
  } finally {
    await store.close();
  }
}

const describePause = (state: PauseState) =>
  `paused by ${state.by} at ${state.at}${state.reason ? `: ${state.reason}` : ''}`;

async function pauseFromCli(action: PauseAction, options: { by?: string; reason?: string }) {
  const config = loadConfig();
  const { stateFile, auditFile, controlSocket } = config.store;
  checkSocketPath(controlSocket);
  const by = options.by ?? cliCaller();
  const reason = options.reason ?? '';
  // Only for what to say: between this read and the unpause someone may pause; the unpause still holds.
  const wasPaused = action === 'unpause' ? await PauseFile.read(pauseFileOf(stateFile)) : undefined;
  const viaServe = await askServe(
    controlSocket,
    PAUSE_PATHS[action],
    { by, reason },
    PauseReply,
    `nothing was ${action}d`,
  );
  if (viaServe && !viaServe.ok) throw new CliError(`${action}: ${viaServe.error}`);
  const paused = viaServe
    ? (viaServe.paused ?? undefined)
    : await pauseLocally(stateFile, auditFile, action, by, reason);
  const where = viaServe
    ? undefined
    : `no pitstop serve on ${controlSocket}: recorded in ${pauseFileOf(stateFile)}`;
  const lines =
    action === 'pause'
      ? [
          describePause(paused!),
          where
            ? `${where}; the next pitstop serve starts no new drain until pitstop unpause`
            : 'pitstop serve starts no new drain from now on; running jobs finish',
        ]
      : wasPaused === undefined
        ? ['Pitstop was not paused; nothing changed']
        : [
            `unpaused by ${by}`,
            where
              ? `${where}; approved jobs start at the next pitstop serve`
              : 'pitstop serve starts approved jobs again as capacity allows',
          ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerPause(program: Command): void {
  program
    .command('pause')
    .description('start no new drains until unpaused (persisted, audited); running jobs finish')
    .option('--reason <text>', 'why, for the audit log, pitstop list and /healthz')
    .option('--by <who>', 'who paused, for the audit log (default cli:$USER)')
    .action((options: { by?: string; reason?: string }) => pauseFromCli('pause', options));

  program
    .command('unpause')
    .description('let approved jobs start again')
    .option('--by <who>', 'who unpaused, for the audit log (default cli:$USER)')
    .action((options: { by?: string }) => pauseFromCli('unpause', options));
}
