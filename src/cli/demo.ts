import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { demoGpuTools } from '../demo/gpu-tools.js';
import {
  APPROVER,
  AUTO_APPROVE,
  BYSTANDER,
  CHANNEL,
  demoScenario,
  demoTimings,
  FAILING_NODE,
  HAND_DRAINED,
  SLURM_JOBS,
  SLURM_NODES,
} from '../demo/scenario.js';
import { createLogger } from '../log.js';
import { Scenario } from '../sim/oci/scenario.js';
import { OciSimulator } from '../sim/oci/server.js';
import { SlackSimulator } from '../sim/slack/server.js';
import { createSimCluster } from '../sim/slurm/index.js';
import { CliError } from './errors.js';
import { buildSystem, stopOnSignal } from './wire.js';

interface DemoOptions {
  port: string;
  state?: string;
  speed: string;
}

function parseOptions(options: DemoOptions) {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError('--port: expected a port number (0: any free port)', 2);
  }
  const speed = Number(options.speed);
  if (!Number.isFinite(speed) || speed < 0.1 || speed > 100) {
    throw new CliError('--speed: expected a number from 0.1 to 100 (2: twice as fast)', 2);
  }
  const state = options.state ? resolve(options.state) : mkdtempSync(join(tmpdir(), 'pitstop-demo-'));
  // Owner-only, as the store wants its directory (a looser one gets a warning at start-up).
  mkdirSync(state, { recursive: true, mode: 0o700 });
  return { port, speed, state };
}

/**
 * The whole system in one process: the OCI, Slurm and Slack simulators, and the bot built by
 * the same `buildSystem` as `pitstop serve`, with only Slurm and the health transport swapped
 * for the simulated cluster and its stand-in GPU tools. Prints the channel page's URL.
 */
async function demo(options: DemoOptions): Promise<void> {
  const { port, speed, state } = parseOptions(options);
  const timings = demoTimings(speed);
  const clock = systemClock;

  const { sim: slurm, cluster } = createSimCluster({
    clock,
    nodes: SLURM_NODES,
    slurmdTimeoutMs: timings.slurmdTimeoutMs,
  });
  for (const { node, durationMs, ...job } of SLURM_JOBS) {
    slurm.submit(node, { ...job, durationMs: timings.scale(durationMs) });
  }
  slurm.drainAs(HAND_DRAINED.user, HAND_DRAINED.node, HAND_DRAINED.reason);

  const oci = new OciSimulator({
    scenario: Scenario.parse(demoScenario(clock.now(), timings)),
    lifecycle: timings.lifecycle,
    // The instance goes away while OCI maintains it, and its slurmd registers again after.
    onMaintenance: (t) => {
      if (t.phase === 'start') slurm.reboot(t.node, timings.rebootMs);
    },
  });
  const slack = new SlackSimulator({
    workspace: { users: [APPROVER, BYSTANDER], channels: [{ ...CHANNEL, botMember: true }] },
  });
  const { endpoint } = await oci.start();
  const { apiUrl } = await slack.start(port);

  const env = {
    LOG_LEVEL: 'info',
    STATE_FILE: join(state, 'state.json'),
    OCI_ENDPOINT: endpoint,
    OCI_CONFIG_FILE: oci.writeOciConfig(join(state, 'oci')),
    SLACK_BOT_TOKEN: slack.workspace.botToken,
    SLACK_SIGNING_SECRET: slack.workspace.signingSecret,
    SLACK_API_URL: apiUrl,
    SLACK_MODE: 'http',
    SLACK_CHANNEL: CHANNEL.id,
    SLACK_APPROVERS: APPROVER.id,
    SLACK_DIGEST_THRESHOLD: '20',
    PORT: '0',
    HEALTH_TRANSPORT: 'local',
    DISCOVERY_CRON: '*/10 * * * * *',
    MAX_WORKERS: '8',
    // Room for every event at once (two nodes stay out for good), so none waits for capacity.
    MAX_NODES_OUT: '8',
    MAX_PARTITION_OUT_PERCENT: '75',
    AUTO_APPROVE: AUTO_APPROVE.join(','),
    ...timings.env,
  };
  const config = loadConfig(env);
  // The terminal shows the URL; what the bot logs goes to a file in the state directory.
  const logFile = join(state, 'pitstop.log');
  const log = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: false }));
  const stopSimulators = () => Promise.all([slack.stop(), oci.stop()]);

  const system = await buildSystem(config, log, {
    cluster,
    healthTransport: await demoGpuTools(
      join(state, 'gpu-tools'),
      SLURM_NODES.map((n) => n.name),
      [FAILING_NODE],
    ),
  }).catch(async (error) => {
    await stopSimulators();
    throw error;
  });
  const stopped = stopOnSignal(async (signal) => {
    await system.stop(signal);
    await stopSimulators();
  });
  const appPort = await system.start().catch(async (error) => {
    await stopSimulators();
    throw error;
  });
  slack.attachApp({ mode: 'http', url: `http://127.0.0.1:${appPort}/slack/events` });
  process.stdout.write(`Pitstop demo: open ${slack.baseUrl}/ (state and log in ${state}; Ctrl-C stops)\n`);
  await stopped;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole system locally on the embedded OCI, Slurm and Slack simulators')
    .option('--port <port>', 'port of the channel page (0: any free port)', '0')
    .option('--state <dir>', 'keep the state here (default: a new temporary directory)')
    .option('--speed <x>', 'how much faster than the default pace the events move', '1')
    .action(demo);
}
