import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { OciCloud } from '../oci/oci-cloud.js';
import { TERMINATE_PATH } from '../orchestrator/control.js';
import { checkSocketPath } from '../orchestrator/control-socket.js';
import { TerminateAnswer, Terminations } from '../orchestrator/terminate.js';
import type { Cloud } from '../ports.js';
import { slurmClusterFromConfig } from '../slurm/from-config.js';
import { JobStore } from '../store/job-store.js';
import { askServe, cliCaller } from './control-client.js';
import { CliError } from './errors.js';

/**
 * With no serve running, this command holds the state lock and acts itself: both requests are
 * durable in the state's terminate file either way, so the rule holds whichever way each came.
 * OCI is only reached for the second request (the first needs no credentials to be recorded).
 */
async function terminateLocally(config: Config, ref: string, by: string): Promise<TerminateAnswer> {
  const clock = systemClock;
  const log = createLogger('warn', process.stderr);
  let cloud: Promise<OciCloud> | undefined;
  const oci = () => {
    cloud ??= OciCloud.create(config.oci, { clock });
    return cloud;
  };
  const lazyCloud: Pick<Cloud, 'getInstance' | 'terminateInstance'> = {
    getInstance: async (id) => (await oci()).getInstance(id),
    terminateInstance: async (id) => (await oci()).terminateInstance(id),
  };
  const { stateFile, auditFile } = config.store;
  const store = await JobStore.open({ stateFile, auditFile, clock });
  try {
    const terminations = new Terminations({
      store,
      cloud: lazyCloud,
      cluster: slurmClusterFromConfig(config.slurm, clock),
      // The Slack thread is serve's (its outbox); the audit log has every step.
      notifier: { progress: async () => {} },
      clock,
      enabled: config.pipeline.triageTerminate,
      log,
    });
    return await terminations.request(ref, by, 'cli');
  } finally {
    await store.close();
  }
}

export function registerTerminate(program: Command): void {
  program
    .command('terminate <event-or-node>')
    .description(
      'ask to terminate the instance of a node that failed its checks and that its job keeps out; two different people must ask (TRIAGE_TERMINATE=true)',
    )
    .option('--by <who>', 'who asks, for the two-person rule and the audit log (default cli:$USER)')
    .action(async (ref: string, options: { by?: string }) => {
      const config = loadConfig();
      const { controlSocket, stateFile } = config.store;
      checkSocketPath(controlSocket);
      const by = options.by ?? cliCaller();
      const viaServe = await askServe(
        controlSocket,
        TERMINATE_PATH,
        { ref, by },
        TerminateAnswer,
        'nothing was asked',
      );
      const answer = viaServe ?? (await terminateLocally(config, ref, by));
      if (!answer.ok) throw new CliError(`terminate ${ref}: ${answer.message}`);
      const where = viaServe
        ? ''
        : `\nno pitstop serve on ${controlSocket}: recorded in ${stateFile}'s terminate file and the audit log; the Slack thread was not told`;
      process.stdout.write(`${answer.message}${where}\n`);
    });
}
