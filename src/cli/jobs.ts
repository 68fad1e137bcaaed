import { userInfo } from 'node:os';
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
import { checkSocketPath, requestOverSocket } from '../orchestrator/control-socket.js';
import { decide } from '../orchestrator/decide.js';
import { JobRefError } from '../orchestrator/resolve-ref.js';
import { JobStore } from '../store/job-store.js';
import { CliError } from './errors.js';

const row = (job: MaintenanceJob) =>
  [job.eventId, job.node ?? '(unmapped)', job.phase, job.event.state, job.reason ?? ''].join('\t');

const CONTROL_TIMEOUT_MS = 15_000;

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

/** Asks a running `pitstop serve` on its control socket; undefined when none listens there. */
async function askServe(
  socket: string,
  decision: ControlDecision,
  body: ControlRequest,
): Promise<ControlReply | undefined> {
  let response: { status: number; body: string };
  try {
    response = await requestOverSocket(
      socket,
      CONTROL_PATHS[decision],
      JSON.stringify(body),
      { 'content-type': 'application/json' },
      CONTROL_TIMEOUT_MS,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No socket, or one a crashed serve left: nobody is listening, so nobody holds the state.
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
    const hint =
      code === 'EACCES'
        ? 'Run it as the user that runs pitstop serve (the socket is theirs alone).'
        : 'Check that pitstop serve is running.';
    throw new CliError(
      `pitstop serve's control socket ${socket} did not answer (${(error as Error).message}); nothing was decided. ${hint}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const reply = ControlReply.safeParse(json);
  if (!reply.success) {
    throw new CliError(`${socket} answered ${response.status} but not as pitstop serve; nothing was decided`);
  }
  return reply.data;
}

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
    by: options.by ?? `cli:${process.env.USER ?? userInfo().username}`,
    reason: options.reason ?? '',
  };
  const viaServe = await askServe(controlSocket, decision, body);
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
      if (options.json) {
        process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
        return;
      }
      if (jobs.length === 0) {
        process.stdout.write(`no active jobs in ${config.store.stateFile}\n`);
        return;
      }
      process.stdout.write(`${['EVENT', 'NODE', 'PHASE', 'OCI STATE', 'REASON'].join('\t')}\n`);
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
