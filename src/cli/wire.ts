import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { gatesFromConfig } from '../gates/from-config.js';
import { healthRunnerFromConfig } from '../health/from-config.js';
import type { Transport } from '../health/transports/transport.js';
import type { Logger } from '../log.js';
import { LogNotifier } from '../notify/log-notifier.js';
import { OciNodeMapper } from '../oci/node-mapper.js';
import { OciCloud } from '../oci/oci-cloud.js';
import { checkSocketPath, listenOnSocket } from '../orchestrator/control-socket.js';
import { controlServer, healthServer, listen } from '../orchestrator/http.js';
import { Orchestrator, type OrchestratorOptions } from '../orchestrator.js';
import type { PhaseSettings } from '../phases/index.js';
import type { Clock, Cluster } from '../ports.js';
import { type SlackAppHandle, startSlackApp } from '../slack/app.js';
import { slackNotifierFromConfig } from '../slack/from-config.js';
import type { SlurmCluster } from '../slurm/cluster.js';
import { slurmClusterFromConfig } from '../slurm/from-config.js';
import { JobStore } from '../store/job-store.js';
import { httpWebhooks } from '../webhooks/http-webhooks.js';

export function phaseSettings(config: Config): PhaseSettings {
  const { pipeline } = config;
  return {
    leadTimeMs: pipeline.leadTimeMs,
    drainTimeoutMs: pipeline.drainTimeoutMs,
    dueWarningMs: pipeline.dueWarningMs,
    maintenanceTimeoutMs: pipeline.maintenanceTimeoutMs,
    pollInitialMs: pipeline.pollInitialMs,
    pollMaxMs: pipeline.pollMaxMs,
    backTimeoutMs: pipeline.backTimeoutMs,
    failMode: pipeline.failMode,
    tag: config.oci.tag,
  };
}

export function orchestratorOptions(config: Config): OrchestratorOptions {
  const { pipeline } = config;
  return {
    discoveryCron: pipeline.discoveryCron,
    maxWorkers: pipeline.maxWorkers,
    maxNodesOut: pipeline.maxNodesOut,
    maxPartitionOutPercent: pipeline.maxPartitionOutPercent,
    autoApprove: pipeline.autoApprove,
    fixedWindowDrainLeadMs: pipeline.fixedWindowDrainLeadMs,
    dryRun: config.dryRun,
    triageTerminate: pipeline.triageTerminate,
  };
}

/** The OCI adapter from a Config; the SDK's retry chatter goes to the debug log. */
export function ociCloudFromConfig(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
): Promise<OciCloud> {
  return OciCloud.create(config.oci, {
    clock,
    onSdkWarning: (message) => log.debug({ component: 'oci-sdk' }, message),
  });
}

/** Instance → Slurm node by NODE_MAPPING's steps over `cluster`: the sweeps' mapper, and `discover`'s. */
export function nodeMapperFromConfig(
  config: Config,
  cloud: OciCloud,
  cluster: Pick<Cluster, 'listNodes'>,
): OciNodeMapper {
  return new OciNodeMapper(cloud.context, {
    steps: config.slurm.nodeMapping,
    mgmtCommand: config.slurm.mgmtCommand,
    cluster,
    concurrency: config.oci.concurrency,
    timeoutMs: config.slurm.timeoutMs,
  });
}

/**
 * What a caller may put in place of the configured adapters: the demo's simulated Slurm and its
 * health over stand-in GPU tools. Everything else is built from the Config as in production.
 */
export interface SystemOverrides {
  cluster?: SlurmCluster;
  /** The transport the health checks run over, in place of HEALTH_TRANSPORT's. */
  healthTransport?: Transport;
}

export interface System {
  orchestrator: Orchestrator;
  /**
   * Serves the control socket, the Bolt app or /healthz on PORT, and starts the jobs; resolves
   * with the port taken. A start that fails stops everything (the lock must not outlive it).
   */
  start(): Promise<number>;
  /** Stops the servers, the app, the jobs, the outbox and the store, in that order; once. */
  stop(reason: string): Promise<void>;
}

/**
 * The bot from a Config: the OCI adapter, Slurm, health, the store under its lock, the Slack
 * outbox and notifier (with SLACK_BOT_TOKEN), the orchestrator, and, once started, /healthz on
 * PORT, the control socket and the Bolt app. `pitstop serve` and `pitstop demo` both build it.
 */
export async function buildSystem(
  config: Config,
  log: Logger,
  overrides: SystemOverrides = {},
): Promise<System> {
  checkSocketPath(config.store.controlSocket);
  if (config.dryRun) {
    log.warn(
      { component: 'serve', stateFile: config.store.stateFile, auditFile: config.store.auditFile },
      `DRY_RUN: jobs and decisions are kept in ${config.store.stateFile}, apart from the real state; nothing decided in this run ever reaches a real run`,
    );
  }
  const clock = systemClock;
  const cloud = await ociCloudFromConfig(config, log, clock);
  const cluster = overrides.cluster ?? slurmClusterFromConfig(config.slurm, clock);
  const health = healthRunnerFromConfig(config.health, { cluster, cloud, clock }, overrides.healthTransport);
  // Takes the state file's lock: a second `serve` (or a CLI decision) cannot act on the same jobs.
  const { stateFile, auditFile } = config.store;
  const store = await JobStore.open({
    stateFile,
    auditFile,
    clock,
    warn: (message) => log.warn({ component: 'store' }, message),
    // Memory is ahead of the disk from here on: stop (exit 1), so what runs next is what was saved;
    // after a moment, so the caller whose change failed (a CLI decision, a Slack click) hears why.
    onWriteFailure: (error) => {
      log.fatal({ component: 'store' }, `${error.message}; pitstop stops now (exit 1)`);
      process.exitCode = 1;
      void clock.sleep(1_000).then(() => stop('store write failed'));
    },
  });
  // With SLACK_BOT_TOKEN, the Slack outbox and notifier; a token Slack refuses stops start-up here.
  const delivery = await slackNotifierFromConfig(config, { cloud, cluster, clock }, store, log).catch(
    async (error) => {
      await store.close();
      throw error;
    },
  );
  const orchestrator = new Orchestrator({
    ports: {
      cloud,
      cluster,
      health,
      notifier: delivery?.notifier ?? new LogNotifier(log),
      clock,
      webhooks: httpWebhooks(config.pipeline, { clock, log, slackWorkspaceUrl: delivery?.identity.url }),
    },
    store,
    mapper: nodeMapperFromConfig(config, cloud, cluster),
    settings: phaseSettings(config),
    gates: gatesFromConfig(config, cluster),
    options: orchestratorOptions(config),
    log,
  });
  const servers = [healthServer(orchestrator, log), controlServer(orchestrator, log)] as const;
  let slack: SlackAppHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      log.info(
        { component: 'serve', signal: reason },
        'stopping: jobs stay in their phase and resume at the next start',
      );
      for (const server of servers) {
        server.close();
        server.closeAllConnections();
      }
      // The app first (no new decisions), the outbox last (it may still send what the jobs said).
      await slack?.stop();
      await orchestrator.stop();
      await delivery?.stop();
      await store.close();
      log.info({ component: 'serve' }, 'stopped');
    })();
    return stopping;
  };
  const start = async () => {
    try {
      const [health, control] = servers;
      // After the lock is ours: a socket file still there is a crashed serve's, and is replaced.
      await listenOnSocket(control, config.store.controlSocket);
      if (config.slack.botToken) {
        // In HTTP mode Bolt takes PORT, with /healthz beside /slack/events.
        slack = await startSlackApp(config.slack, {
          orchestrator,
          store,
          cluster,
          clock,
          log,
          identity: delivery?.identity,
          outbox: delivery?.outbox,
        });
      }
      const port = slack?.port ?? (await listen(health, config.slack.port));
      log.info(
        {
          component: 'serve',
          port,
          controlSocket: config.store.controlSocket,
          dryRun: config.dryRun,
          slack: config.slack.botToken ? config.slack.mode : 'off',
        },
        `listening on ${port}: GET /healthz${slack?.port ? ', POST /slack/events' : ''}; decisions (pitstop approve|deny) on ${config.store.controlSocket}`,
      );
      await orchestrator.start();
      return port;
    } catch (error) {
      // The lock must not outlive a start that failed (a port in use, say).
      await stop('start-up failure');
      throw error;
    }
  };
  return { orchestrator, start, stop };
}

/**
 * Resolves once SIGINT or SIGTERM has stopped `stop`. `on`, not `once`: while a Slurm command
 * runs, execa's signal-exit also listens, and re-raises the signal (killing the process mid-phase)
 * when it finds itself the only listener left.
 */
export function stopOnSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => void stop(signal).then(resolve));
    }
  });
}
