import { execa } from 'execa';
import type { MaintenanceTransition } from './fleet.js';

export interface HookCommands {
  onStart?: string;
  onEnd?: string;
}

/**
 * Runs the operator's `--on-maintenance-start/-end` command when an event's maintenance starts
 * or ends, with the event, instance and Slurm node in the environment (e.g. to stop and restart
 * that node's slurmd, as a real reboot would). The command is the operator's own shell line,
 * as with git hooks; our values reach it only through the environment, never the command text.
 */
export function shellHooks(commands: HookCommands): (transition: MaintenanceTransition) => Promise<void> {
  return async ({ phase, event, instance, node }) => {
    const command = phase === 'start' ? commands.onStart : commands.onEnd;
    if (!command) return;
    await execa(command, {
      shell: true,
      // stdout belongs to the simulator's one JSON line; the hooks speak on stderr.
      stdio: ['ignore', 2, 2],
      env: {
        PITSTOP_MAINTENANCE: phase,
        PITSTOP_EVENT_ID: event.id,
        PITSTOP_EVENT_STATE: event.lifecycleState,
        PITSTOP_INSTANCE_ID: instance.id,
        PITSTOP_INSTANCE_NAME: instance.displayName,
        PITSTOP_PRIVATE_IP: instance.privateIp,
        PITSTOP_NODE: node,
      },
    });
  };
}
