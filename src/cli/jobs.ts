import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { IllegalTransitionError, type MaintenanceJob } from '../domain/job.js';
import {
  CONTROL_PATHS,
  type ControlDecision,
  ControlReply,
  type ControlRequest,
  decisionOf,
  jobReply,
} from '../orchestrator/control.js';
import { checkSocketPath } from '../orchestrator/control-socket.js';
import { decide } from '../orchestrator/decide.js';
import { JobRefError } from '../orchestrator/resolve-ref.js';
import { JobStore, pauseFileOf } from '../store/job-store.js';
import { PauseFile } from '../store/pause-file.js';
import { askServe, cliCaller } from './control-client.js';
import { CliError } from './errors.js';

// The OCI state as last read, and when: a job from before Pitstop recorded reads shows "-".
const row = (job: MaintenanceJob) =>
  [
    job.eventId,
    job.node ?? '(unmapped)',
    job.phase,
    job.event.state,
    job.eventReadAt ?? '-',
    job.reason ?? '',
  ].join('\t');

/** What each decision is called once taken, and what follows it with and without a serve running. */
const OUTCOME: Record<ControlDecision, { done: string; viaServe: string; recorded: string }> = {
  approve: {
    done: 'approved',
    viaServe: 'pitstop serve starts it now (within MAX_WORKERS and the capacity limits)',
    recorded: 'the job runs at the next pitstop serve',
  },
  deny: { done: 'denied', viaServe: 'the node is left alone', recorded: 'the node is left alone' },
  proceed: {
    done: 'proceeding',
    viaServe:
      'pitstop serve stops waiting for the Slurm jobs: the node stays drained and OCI is asked to maintain it now (its maintenance ends the Slurm jobs still running; requeue them yourself if they should run again)',
    recorded: 'the next pitstop serve stops waiting for the Slurm jobs and asks OCI to maintain the node now',
  },
  'leave-to-oci': {
    done: 'left to OCI',
    viaServe:
      'pitstop serve stops waiting for the Slurm jobs: the node stays drained, the window stays as OCI has it, and Pitstop follows the event',
    recorded: "the next pitstop serve stops waiting for the Slurm jobs and follows OCI's own window",
  },
};

/** No serve running: take the lock and record the decision; the job runs at the next `serve`. */
async function decideLocally(
  stateFile: string,
  auditFile: string,
  decision: ControlDecision,
  body: Required<ControlRequest>,
) {
  const store = await JobStore.open({ stateFile, auditFile, clock: systemClock });
  try {
    const { after } = await decide(store, body.ref, decisionOf(decision, body, 'cli'));
    return jobReply(after);
  } catch (error) {
    if (error instanceof JobRefError || error instanceof IllegalTransitionError) {
      return { ok: false as const, error: error.message };
    }
    throw error;
  } finally {
    await store.close();
  }
}

async function decideFromCli(
  decision: ControlDecision,
  ref: string,
  options: { by?: string; reason?: string },
) {
  const config = loadConfig();
  const { stateFile, auditFile, controlSocket } = config.store;
  checkSocketPath(controlSocket);
  const body = {
    ref,
    by: options.by ?? cliCaller(),
    reason: options.reason ?? '',
  };
  const viaServe = await askServe(
    controlSocket,
    CONTROL_PATHS[decision],
    body,
    ControlReply,
    'nothing was decided',
  );
  const reply = viaServe ?? (await decideLocally(stateFile, auditFile, decision, body));
  if (!reply.ok) throw new CliError(`${decision} ${ref}: ${reply.error}`);
  const { job } = reply;
  const outcome = OUTCOME[decision];
  const after = viaServe
    ? outcome.viaServe
    : `no pitstop serve on ${controlSocket}: recorded in ${stateFile}; ${outcome.recorded}`;
  process.stdout.write(
    `${outcome.done} ${job.eventId} (${job.node ?? 'unmapped'}): ${job.phase}${job.reason ? ` (${job.reason})` : ''}\n${after}\n`,
  );
}

export function registerJobs(program: Command): void {
  program
    .command('list')
    .description('list the active jobs (one per maintenance event) from the state file')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const state = await JobStore.read(config.store.stateFile);
      const jobs = Object.values(state.jobs);
      const paused = await PauseFile.read(pauseFileOf(config.store.stateFile));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
        return;
      }
      if (paused) {
        process.stdout.write(
          `PAUSED by ${paused.by} at ${paused.at}${paused.reason ? `: ${paused.reason}` : ''} (no new drain starts until pitstop unpause)\n`,
        );
      }
      if (jobs.length === 0) {
        process.stdout.write(`no active jobs in ${config.store.stateFile}\n`);
        return;
      }
      process.stdout.write(`${['EVENT', 'NODE', 'PHASE', 'OCI STATE', 'READ AT', 'REASON'].join('\t')}\n`);
      for (const job of jobs) process.stdout.write(`${row(job)}\n`);
    });

  program
    .command('approve <event-or-node>')
    .description('approve the maintenance of an event (by event OCID or node name)')
    .option('--by <who>', 'who decided, for the audit log (default cli:$USER)')
    .action((ref: string, options: { by?: string }) => decideFromCli('approve', ref, options));

  program
    .command('deny <event-or-node>')
    .description('deny the maintenance of an event; the node is left alone')
    .option('--reason <text>', 'why, for the audit log and the thread')
    .option('--by <who>', 'who decided, for the audit log (default cli:$USER)')
    .action((ref: string, options: { by?: string; reason?: string }) => decideFromCli('deny', ref, options));

  program
    .command('proceed <event-or-node>')
    .description(
      'near the hard due date, stop waiting for the Slurm jobs on a draining node: it stays drained and OCI maintains it now (which ends those Slurm jobs)',
    )
    .option('--by <who>', 'who decided, for the audit log (default cli:$USER)')
    .action((ref: string, options: { by?: string }) => decideFromCli('proceed', ref, options));

  program
    .command('leave-to-oci <event-or-node>')
    .description(
      'near the hard due date, stop waiting for the Slurm jobs on a draining node: it stays drained, OCI acts at its own window, and Pitstop follows it',
    )
    .option('--by <who>', 'who decided, for the audit log (default cli:$USER)')
    .action((ref: string, options: { by?: string }) => decideFromCli('leave-to-oci', ref, options));
}
