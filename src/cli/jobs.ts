import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { MaintenanceJob } from '../domain/job.js';
import { JobStore } from '../store/job-store.js';
import { notBuilt } from './errors.js';

const row = (job: MaintenanceJob) =>
  [job.eventId, job.node ?? '(unmapped)', job.phase, job.event.state, job.reason ?? ''].join('\t');

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
    .action(() => notBuilt('approve', 'the pipeline issue'));

  program
    .command('deny <event-or-node>')
    .description('deny the maintenance of an event; the node is left alone')
    .option('--reason <text>', 'why, for the audit log and the thread')
    .action(() => notBuilt('deny', 'the pipeline issue'));
}
