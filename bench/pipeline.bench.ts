/**
 * The whole pipeline at fleet scale: 1,000 events approved at once, each job walked through
 * drain, schedule, maintenance, health, triage and bookkeeping by the Orchestrator, wired as
 * `pitstop serve` wires it (cli/wire.ts) with the capacity limits on, over the OCI simulator
 * (real SDK over HTTP), the Slurm simulator and the demo's stand-in GPU tools (local transport).
 * Simulated durations are scaled down by settings (real clock): see TIMINGS.
 *
 * Prints jobs per second, Pitstop's own CPU time per transition (see own-time.ts), the store's
 * bytes per transition, peak RSS, and the most nodes out at any moment, counted in Slurm after
 * every transition and every node update: a count over a limit exits non-zero.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { pino } from 'pino';
import { nodeMapperFromConfig, orchestratorOptions, phaseSettings } from '../src/cli/wire.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { demoGpuTools } from '../src/demo/gpu-tools.js';
import type { MaintenanceJob } from '../src/domain/job.js';
import { healthRunnerFromConfig } from '../src/health/from-config.js';
import { quoteForShell } from '../src/health/transports/ssh.js';
import type { Transport } from '../src/health/transports/transport.js';
import { createLogger } from '../src/log.js';
import { LogNotifier } from '../src/notify/log-notifier.js';
import { OciCloud } from '../src/oci/oci-cloud.js';
import { Orchestrator } from '../src/orchestrator.js';
import { PHASE_HANDLERS, type PhaseHandler, type WorkingPhase } from '../src/phases/index.js';
import type { Clock, Notifier } from '../src/ports.js';
import { SimSlurm } from '../src/sim/slurm/index.js';
import type { SlurmBackend } from '../src/slurm/backend.js';
import { SlurmCluster } from '../src/slurm/cluster.js';
import { JobStore } from '../src/store/job-store.js';
import {
  benchScenario,
  busyNodes,
  eventId,
  FAILING,
  HAND_DRAINED,
  NODE_COUNT,
  NODES,
  SLURM_NODES,
} from './pipeline/fleet.js';
import { cpuOf, OwnTime, outsideCalls } from './pipeline/own-time.js';
import { peakRssMiB, report } from './report.js';

/** The capacity limits (as `pitstop serve` reads them); MAX_NODES_OUT binds before the partitions' sum. */
const LIMITS = { MAX_WORKERS: '96', MAX_NODES_OUT: '64', MAX_PARTITION_OUT_PERCENT: '10' };

/**
 * Every simulated wait is about 1/100 of the demo's (itself minutes of OCI compressed into
 * seconds); the deadlines stay long, so a busy CPU is measured as slowness, never as a timeout.
 */
const TIMINGS = {
  env: {
    LEAD_TIME: '50ms',
    POLL_INITIAL: '20ms',
    POLL_MAX: '60ms',
    DRAIN_TIMEOUT: '30m',
    MAINTENANCE_TIMEOUT: '30m',
    BACK_TIMEOUT: '30m',
    HEALTH_TIMEOUT: '30m',
  },
  lifecycle: { workRequestAccepted: 5, workRequestInProgress: 10, eventStarted: 20, eventProcessing: 60 },
  slurmPoll: { initialMs: 20, maxMs: 200, progressEveryMs: 60_000 },
  rebootMs: 40,
  slurmdTimeoutMs: 20,
  longestSlurmJobMs: 1_000,
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
const ms = (value: number) => Math.round(value * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), 'pitstop-bench-pipeline-'));
const time = new OwnTime();

// ---------------------------------------------------------------- the simulators
const slurm = new SimSlurm({
  clock: systemClock,
  nodes: SLURM_NODES,
  slurmdTimeoutMs: TIMINGS.slurmdTimeoutMs,
});
for (const { node, ...job } of busyNodes(TIMINGS.longestSlurmJobMs)) slurm.submit(node, job);
for (const node of HAND_DRAINED) slurm.drainAs('bob', node, 'RMA ticket 4411: keep out');

// OCI in its own process, as OCI would be, so its work and memory are not counted as Pitstop's.
// The instance goes away while OCI maintains it: the simulator's start hook writes the node's
// name down, and the node's slurmd here stops and registers again after the reboot.
const scenarioFile = join(dir, 'scenario.json');
writeFileSync(
  scenarioFile,
  JSON.stringify({ ...benchScenario(systemClock.now()), lifecycle: TIMINGS.lifecycle }),
);
const rebootsFile = join(dir, 'reboots');
writeFileSync(rebootsFile, '');
const ociSim = execa(
  'node',
  [
    fileURLToPath(new URL('../bin/pitstop.js', import.meta.url)),
    'sim',
    'oci',
    '--scenario',
    scenarioFile,
    '--write-oci-config',
    join(dir, 'oci'),
    '--on-maintenance-start',
    `printf '%s\\n' "$PITSTOP_NODE" >> ${quoteForShell(rebootsFile)}`,
  ],
  { stderr: 'inherit' },
);
// However the benchmark ends (an error before its `finally`, too), the simulator goes with it.
process.once('exit', () => ociSim.kill('SIGTERM'));
const { endpoint } = await new Promise<{ endpoint: string }>((resolve, reject) => {
  createInterface({ input: ociSim.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
  ociSim.catch(reject);
});
const rebootsRead = { offset: 0, partial: '' };
const rebootWatch = setInterval(() => {
  const text = readFileSync(rebootsFile, 'utf8').slice(rebootsRead.offset);
  rebootsRead.offset += text.length;
  const lines = (rebootsRead.partial + text).split('\n');
  rebootsRead.partial = lines.pop() ?? '';
  for (const node of lines) slurm.reboot(node, TIMINGS.rebootMs);
}, 10);

// ---------------------------------------------------------------- nodes out, read from Slurm
// The limits as the README states them, worked out here rather than by the policy under test.
const limits = {
  cluster: Number(LIMITS.MAX_NODES_OUT),
  partitions: new Map<string, number>(),
};
const partitionSizes = new Map<string, number>();
for (const node of SLURM_NODES) {
  for (const p of node.partitions ?? []) partitionSizes.set(p, (partitionSizes.get(p) ?? 0) + 1);
}
for (const [p, size] of partitionSizes) {
  limits.partitions.set(p, Math.max(1, Math.floor((size * Number(LIMITS.MAX_PARTITION_OUT_PERCENT)) / 100)));
}
const most = { cluster: 0, partitions: new Map<string, number>(), samples: 0, sampleMs: 0 };

const partitionsOf = new Map(SLURM_NODES.map((node) => [node.name, node.partitions ?? []]));
/** Counts the nodes Slurm has out (drained, draining, down) in all and by partition. */
function sampleNodesOut(): void {
  const started = performance.now();
  const out = slurm.nodesOut();
  most.cluster = Math.max(most.cluster, out.length);
  const byPartition = new Map<string, number>();
  for (const node of out) {
    for (const p of partitionsOf.get(node) ?? []) byPartition.set(p, (byPartition.get(p) ?? 0) + 1);
  }
  for (const [p, n] of byPartition) most.partitions.set(p, Math.max(most.partitions.get(p) ?? 0, n));
  most.samples++;
  most.sampleMs += performance.now() - started;
}

/** The Slurm simulator, its calls outside Pitstop's time, a sample after every node update. */
let capacityReads = 0;
const backend: SlurmBackend = {
  showNodes: (node) => {
    if (node === undefined) capacityReads++;
    return time.outside(() => slurm.showNodes(node));
  },
  slurmJobsOn: (node) => time.outside(() => slurm.slurmJobsOn(node)),
  showReservations: () => time.outside(() => slurm.showReservations()),
  updateNode: (node, update) =>
    time.outside(async () => {
      await slurm.updateNode(node, update);
      sampleNodesOut();
    }),
};

// ---------------------------------------------------------------- Pitstop, as wire.ts builds it
const config = loadConfig({
  STATE_FILE: join(dir, 'state.json'),
  OCI_ENDPOINT: endpoint,
  OCI_CONFIG_FILE: join(dir, 'oci', 'config'),
  HEALTH_TRANSPORT: 'local',
  NODE_MAPPING: 'name+addr',
  // The benchmark sweeps once itself; the schedule is never due during the run.
  DISCOVERY_CRON: '0 0 1 1 *',
  ...LIMITS,
  ...TIMINGS.env,
});
const clock: Clock = {
  now: () => systemClock.now(),
  sleep: (wait, signal) => time.outside(() => systemClock.sleep(wait, signal)),
};
const cloud = outsideCalls(await OciCloud.create(config.oci, { clock }), time);
const cluster = new SlurmCluster(backend, clock, TIMINGS.slurmPoll);
const gpuTools: Transport = outsideCalls(await demoGpuTools(join(dir, 'gpu-tools'), NODES, FAILING), time);
const health = healthRunnerFromConfig(config.health, { cluster, cloud, clock }, gpuTools);
const store = await JobStore.open({
  stateFile: config.store.stateFile,
  auditFile: config.store.auditFile,
  clock,
});
// Headless `serve`'s notifier, its lines into a file as they would go to stdout.
const logNotifier = new LogNotifier(
  createLogger('info', pino.destination({ dest: join(dir, 'pitstop.log'), sync: false })),
);

// ---------------------------------------------------------------- each transition, timed
/**
 * Per transition a phase made: Pitstop's own CPU ms (the phase run's own code, the store's
 * transition in memory, the notifier) and the wall ms until the store had it on disk.
 */
const perTransition: { phase: string; ownCpuMs: number; durableMs: number }[] = [];
/** A transition recorded and not yet told to the notifier, by job. */
const recorded = new Map<string, { phase: string; ownCpuMs: number; durableMs: number }>();

// The orchestrator calls each phase through this table: wrapping its entries times every phase
// run without a hook in the production code.
const handlers = PHASE_HANDLERS as Record<WorkingPhase, PhaseHandler>;
for (const phase of Object.keys(handlers) as WorkingPhase[]) {
  const handler = handlers[phase];
  handlers[phase] = (job, context) => time.phase(job.id, () => handler(job, context));
}

const timedStore = new Proxy(store, {
  get(target, key) {
    const value = Reflect.get(target, key, target);
    if (key !== 'apply') return typeof value === 'function' ? value.bind(target) : value;
    return async (jobId: string, action: Parameters<JobStore['apply']>[1]) => {
      const phaseCpuMs = time.takeOwnCpuMs(jobId);
      const phase = target.get(jobId)?.phase ?? 'unknown';
      const started = performance.now();
      // The transition itself is synchronous; the write to disk is shared by a group commit.
      const { value: writing, cpuMs } = cpuOf(() => target.apply(jobId, action));
      const job = await writing;
      // Decisions (approve) are transitions no phase made: only the phases' are timed.
      if (phaseCpuMs !== undefined) {
        recorded.set(jobId, {
          phase,
          ownCpuMs: phaseCpuMs + cpuMs,
          durableMs: performance.now() - started,
        });
      }
      return job;
    };
  },
});

let pendingSample: Promise<void> | undefined;
const notifier: Notifier = {
  announce: (job) => logNotifier.announce(job),
  progress: (job, message) => logNotifier.progress(job, message),
  async phaseChanged(job: MaintenanceJob, previous: MaintenanceJob) {
    const { value: telling, cpuMs } = cpuOf(() => logNotifier.phaseChanged(job, previous));
    await telling;
    const record = recorded.get(job.id);
    if (record) {
      recorded.delete(job.id);
      perTransition.push({ ...record, ownCpuMs: record.ownCpuMs + cpuMs });
    }
    // Transitions recorded together (one group commit) share the sample taken after them.
    pendingSample ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(sampleNodesOut)
      .finally(() => {
        pendingSample = undefined;
      });
  },
};

const orchestrator = new Orchestrator({
  ports: { cloud, cluster, health, notifier, clock },
  store: timedStore,
  mapper: nodeMapperFromConfig(config, cloud, cluster),
  settings: phaseSettings(config),
  options: orchestratorOptions(config),
  log: createLogger('warn', pino.destination({ dest: join(dir, 'orchestrator.log'), sync: false })),
});

// ---------------------------------------------------------------- the run
let exitCode = 0;
try {
  const rssBeforeSweep = peakRssMiB();
  const swept = performance.now();
  const sweep = await orchestrator.sweep();
  const sweepS = (performance.now() - swept) / 1000;
  if (sweep.created.length !== NODE_COUNT) {
    throw new Error(`bench: the sweep made ${sweep.created.length} jobs, expected ${NODE_COUNT} (mapping?)`);
  }
  const rssAfterSweep = peakRssMiB();
  const before = store.stats();
  capacityReads = 0;
  time.start();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  process.stderr.write(`bench: ${NODE_COUNT} jobs discovered in ${ms(sweepS)} s; approving them all\n`);
  const progress = setInterval(() => {
    process.stderr.write(`bench: ${NODE_COUNT - store.list().length} of ${NODE_COUNT} jobs done\n`);
  }, 10_000);
  // Approve all, at once.
  await Promise.all(NODES.map((_, i) => orchestrator.approve(eventId(i), 'U0BENCH', 'slack')));
  await orchestrator.idle();
  await pendingSample;
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  time.stop();
  const after = store.stats();

  const left = store.list();
  const finished = NODE_COUNT - left.length;
  const sorted = perTransition.map((t) => t.ownCpuMs).sort((a, b) => a - b);
  const durable = perTransition.map((t) => t.durableMs).sort((a, b) => a - b);
  const bytes = after.stateBytes + after.auditBytes - before.stateBytes - before.auditBytes;
  const partitionsOver = [...limits.partitions].filter(([p, limit]) => (most.partitions.get(p) ?? 0) > limit);
  const over = most.cluster > limits.cluster || partitionsOver.length > 0;
  const rss = peakRssMiB();
  report(
    `Pipeline: ${NODE_COUNT.toLocaleString('en-US')} events approved at once, MAX_WORKERS=${LIMITS.MAX_WORKERS} MAX_NODES_OUT=${LIMITS.MAX_NODES_OUT} MAX_PARTITION_OUT_PERCENT=${LIMITS.MAX_PARTITION_OUT_PERCENT}`,
    {
      'discovery sweep (s)': ms(sweepS),
      'jobs finished': `${finished} of ${NODE_COUNT}${
        left.length
          ? ` (${left
              .map((j) => `${j.node} ${j.phase}`)
              .slice(0, 5)
              .join(', ')}…)`
          : ''
      }`,
      'wall time (s)': ms(seconds),
      'jobs per second': ms(finished / seconds),
      'CPU time (s, user+system)': ms((cpu.user + cpu.system) / 1e6),
      'transitions timed': perTransition.length,
      'own CPU ms per transition p50': ms(percentile(sorted, 50)),
      'own CPU ms per transition p99': `${ms(percentile(sorted, 99))} (target < 5) ${percentile(sorted, 99) < 5 ? 'met' : 'NOT met'}`,
      'own CPU ms per transition max': ms(sorted.at(-1) ?? 0),
      'own CPU ms p50 / p99 by phase': [...new Set(perTransition.map((t) => t.phase))]
        .map((phase) => {
          const of = perTransition
            .filter((t) => t.phase === phase)
            .map((t) => t.ownCpuMs)
            .sort((a, b) => a - b);
          return `${phase} ${ms(percentile(of, 50))} / ${ms(percentile(of, 99))}`;
        })
        .join(', '),
      'on disk after (wall ms) p50 / p99': `${ms(percentile(durable, 50))} / ${ms(percentile(durable, 99))}`,
      // The approvals are transitions too.
      'store bytes per transition': Math.round(bytes / (perTransition.length + NODE_COUNT)),
      'store writes (group commits)': after.writes - before.writes,
      'capacity reads of the node list': capacityReads,
      'most nodes out (cluster)': `${most.cluster} (MAX_NODES_OUT ${limits.cluster}) ${most.cluster > limits.cluster ? 'EXCEEDED' : 'never exceeded'}`,
      'most nodes out (partitions)': [...limits.partitions]
        .map(([p, limit]) => `${p} ${most.partitions.get(p) ?? 0}/${limit}`)
        .join(', '),
      'node-list samples (ms spent)': `${most.samples} (${Math.round(most.sampleMs)})`,
      'peak RSS (MiB)': `${rss} (target < 250) ${rss < 250 ? 'met' : 'NOT met'}; ${rssBeforeSweep} before the sweep, ${rssAfterSweep} after it`,
    },
  );
  if (over) {
    process.stderr.write(
      `bench: nodes out exceeded a limit (cluster ${most.cluster}/${limits.cluster}${partitionsOver.map(([p, l]) => `, ${p} ${most.partitions.get(p)}/${l}`).join('')})\n`,
    );
    exitCode = 1;
  }
  if (finished !== NODE_COUNT) exitCode = 1;
} finally {
  await orchestrator.stop();
  await store.close();
  clearInterval(rebootWatch);
  ociSim.kill('SIGTERM');
  await ociSim.catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
