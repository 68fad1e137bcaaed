import { type JobAction, type MaintenanceJob, newJob, type Phase, transition } from '../../src/domain/job.js';
import { PHASE_HANDLERS } from '../../src/phases/index.js';
import type { PhaseContext, PhaseSettings } from '../../src/phases/phase.js';
import type { Clock, Notifier, Webhooks } from '../../src/ports.js';
import { ManualClock } from '../../src/sim/clock.js';
import type { ScenarioInput } from '../../src/sim/oci/scenario.js';
import { createSimCluster, type SimSlurm } from '../../src/sim/slurm/index.js';
import type { NodeUpdate, SlurmBackend } from '../../src/slurm/backend.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { compartment, event, type Harness, instance, startHarness, TENANCY } from '../oci/sim-fixture.js';
import {
  type GpuStandins,
  gpuStandins,
  HEALTHY_SHAPE,
  healthyNode,
  localHealthRunner,
} from './gpu-standins.js';

/**
 * The real parts of the pipeline wired as `cli.ts` will wire them, for phase tests: the OCI
 * adapter through the real SDK against the OCI simulator, the Slurm simulator under the real
 * SlurmCluster, and the health runner over the local transport with stand-in GPU tools. One
 * ManualClock that jumps over every sleep drives all three, so hours of waiting take no time.
 */

export const START = new Date('2026-11-25T18:00:00.000Z');
export const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'] as const;
/** How long a node is away while OCI maintains it. */
export const REBOOT_MS = 3 * 60_000;

/**
 * HEALTH_TIMEOUT: the checks' budget once the node answers (the runner's, not a phase setting).
 * A week, because the checks run as real processes while the auto-advancing clock moves with
 * every other job's sleeps: a job polling OCI for a fixed window a day away jumps hours during
 * one check. Tests of the health deadline set their own.
 */
export const HEALTH_TIMEOUT_MS = 7 * 86_400_000;

export const SETTINGS: PhaseSettings = {
  leadTimeMs: 5 * 60_000,
  drainTimeoutMs: 6 * 3_600_000,
  dueWarningMs: 2 * 3_600_000,
  maintenanceTimeoutMs: 24 * 3_600_000,
  pollInitialMs: 30_000,
  pollMaxMs: 10 * 60_000,
  backTimeoutMs: 2 * 3_600_000,
  failMode: 'DRAIN',
  tag: 'pitstop',
};

/** A compartment with no instances, swept with the tenancy. */
export const LAB_COMPARTMENT = compartment('lab');

/** One event per node; `gpu-N` is instance `gpuN`. */
export const EVENTS = {
  /** Goes the happy way. */
  flex: { id: event('flex'), node: 'gpu-1' },
  /** Its update's work request FAILED. */
  broken: { id: event('broken'), node: 'gpu-2' },
  /** The maintenance itself FAILED. */
  failing: { id: event('failing'), node: 'gpu-3' },
  /** OCI will not move its window. */
  fixed: { id: event('fixed'), node: 'gpu-4' },
} as const;

/** As on an oci-hpc cluster, node `gpu-N`'s NodeAddr is its instance's private IP. */
const nodeAddr = (i: number) => `10.0.0.${i + 1}`;

/** With `startPipeline({ secondOnGpu1: true })`: a second event on gpu-1's instance (OCI raises several). */
export const SECOND_ON_GPU1 = { id: event('second'), node: 'gpu-1' } as const;

/** The instance pool `startPipeline({ pooled })` puts instances in. */
export const POOL = 'ocid1.instancepool.oc1.iad.aaaaaaaapool';

export interface PipelineOptions {
  secondOnGpu1?: boolean;
  /**
   * Events with a hard due date (event id → date). OCI's window is the due date too: left alone,
   * OCI acts then, as it does when nobody moves the window.
   */
  dueAt?: Record<string, Date>;
  /** The webhooks the phases (and an orchestrator over this pipeline) call, on the pipeline's clock. */
  webhooks?: (clock: Clock) => Webhooks;
  /** Nodes whose instance is in an instance pool. */
  pooled?: string[];
}

function scenario({ secondOnGpu1 = false, dueAt = {}, pooled = [] }: PipelineOptions): ScenarioInput {
  const day = new Date(START.getTime() + 86_400_000).toISOString();
  const onInstance = (n: number) => ({
    instanceId: instance(`gpu${n}`),
    timeWindowStart: day,
    faults: [{ faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA link flapping' }],
  });
  const due = (id: string) =>
    dueAt[id] ? { timeWindowStart: dueAt[id].toISOString(), timeHardDueDate: dueAt[id].toISOString() } : {};
  return {
    tenancy: { id: TENANCY },
    // Empty, beside the tenancy: a test denies it to make a sweep partial.
    compartments: [{ id: LAB_COMPARTMENT, name: 'lab' }],
    instances: NODES.map((name, i) => ({
      id: instance(`gpu${i + 1}`),
      compartmentId: TENANCY,
      displayName: name,
      shape: HEALTHY_SHAPE,
      privateIp: nodeAddr(i),
      ...(pooled.includes(name) ? { instancePoolId: POOL } : {}),
    })),
    events: [
      { id: EVENTS.flex.id, ...onInstance(1), ...due(EVENTS.flex.id), freeformTags: { team: 'hpc' } },
      {
        id: EVENTS.broken.id,
        ...onInstance(2),
        workRequestOutcome: 'FAILED',
        workRequestErrors: [{ code: 'InternalError', message: 'host is not reachable' }],
      },
      { id: EVENTS.failing.id, ...onInstance(3), outcome: 'FAILED' },
      { id: EVENTS.fixed.id, ...onInstance(4), canReschedule: false },
      ...(secondOnGpu1
        ? [
            {
              id: SECOND_ON_GPU1.id,
              ...onInstance(1),
              faults: [{ faultId: 'HPCGPU-0001-01', faultSummary: 'GPU firmware update' }],
            },
          ]
        : []),
    ],
    lifecycle: {
      workRequestAccepted: '1s',
      workRequestInProgress: '10s',
      eventStarted: '1m',
      eventProcessing: '20m',
    },
  };
}

/** A Slurm backend (simulated or real) with every node update Pitstop sends written down. */
export class RecordingBackend implements SlurmBackend {
  readonly updates: { node: string; update: NodeUpdate }[] = [];
  constructor(private readonly backend: SlurmBackend) {}
  showNodes = (node?: string) => this.backend.showNodes(node);
  slurmJobsOn = (node: string) => this.backend.slurmJobsOn(node);
  showReservations = () => this.backend.showReservations();
  updateNode = async (node: string, update: NodeUpdate) => {
    this.updates.push({ node, update });
    await this.backend.updateNode(node, update);
  };
}

export interface Pipeline {
  clock: ManualClock;
  oci: Harness;
  slurm: SimSlurm;
  /** Node updates (drain, resume, fail) sent to Slurm, in order. */
  slurmUpdates: RecordingBackend['updates'];
  cluster: SlurmCluster;
  standins: GpuStandins;
  /** Every progress line and phase change, as the Slack thread would show them. */
  thread: string[];
  onThreadLine(listener: (line: string) => void): void;
  context(
    overrides?: Partial<Pick<PhaseContext, 'signal' | 'otherJobsOnNode' | 'dueDecided'>> & {
      settings?: Partial<PhaseSettings>;
    },
  ): PhaseContext;
  /** A job for one of `EVENTS`, approved and about to drain. */
  approvedJob(eventId: string, node: string): Promise<MaintenanceJob>;
  /** Runs the job's current phase once and applies its action; returns the action and the job after it. */
  step(job: MaintenanceJob, context?: PhaseContext): Promise<{ action: JobAction; job: MaintenanceJob }>;
  /** Steps the job until it reaches `phase` (or ends, which fails the test's expectations). */
  runUntil(job: MaintenanceJob, phase: Phase, context?: PhaseContext): Promise<MaintenanceJob>;
  stop(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const clock = new ManualClock(START, true);
  const { sim } = createSimCluster({
    clock,
    nodes: NODES.map((name, i) => ({ name, address: nodeAddr(i) })),
  });
  const recording = new RecordingBackend(sim);
  const cluster = new SlurmCluster(recording, clock);
  // The instance goes away while OCI maintains it, and its slurmd registers again after.
  const oci = await startHarness(scenario(options), {
    clock,
    onMaintenance: (t) => {
      if (t.phase === 'start') sim.reboot(t.node, REBOOT_MS);
    },
  });
  const standins = await gpuStandins();
  await healthyNode(standins);
  const health = localHealthRunner({ standins, cluster, clock, timeoutMs: HEALTH_TIMEOUT_MS });
  const thread: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const say = (line: string) => {
    thread.push(line);
    for (const listener of listeners) listener(line);
  };
  const notifier: Notifier = {
    announce: async () => ({}),
    phaseChanged: async (job, previous) => {
      say(`${previous.phase} → ${job.phase}`);
    },
    progress: async (_job, message) => {
      say(message);
    },
  };
  const webhooks = options.webhooks?.(clock);
  const context: Pipeline['context'] = (overrides = {}) => ({
    ports: { cloud: oci.cloud, cluster, health, notifier, clock, ...(webhooks && { webhooks }) },
    settings: { ...SETTINGS, ...overrides.settings },
    signal: overrides.signal,
    otherJobsOnNode: overrides.otherJobsOnNode,
    dueDecided: overrides.dueDecided,
  });
  const pipeline: Pipeline = {
    clock,
    oci,
    slurm: sim,
    slurmUpdates: recording.updates,
    cluster,
    standins,
    thread,
    onThreadLine: (listener) => listeners.push(listener),
    context,
    async approvedJob(eventId, node) {
      const job = newJob(await oci.cloud.getEvent(eventId), clock.now(), node);
      return transition(job, { type: 'approve', by: 'U123', via: 'cli' }, clock.now());
    },
    async step(job, ctx = context()) {
      if (job.phase === 'awaiting_approval' || job.phase === 'done') {
        throw new Error(`test: job ${job.id} has no phase to run (${job.phase})`);
      }
      const action = await PHASE_HANDLERS[job.phase](job, ctx);
      const next = transition(job, action, clock.now());
      await notifier.phaseChanged(next, job);
      return { action, job: next };
    },
    async runUntil(job, phase, ctx) {
      let current = job;
      while (current.phase !== phase && current.phase !== 'done')
        ({ job: current } = await pipeline.step(current, ctx));
      return current;
    },
    stop: () => oci.sim.stop(),
  };
  return pipeline;
}

/** Aborts as soon as a thread line matches: Pitstop stopping at that moment of a phase. */
export function abortWhen(pipeline: Pipeline, pattern: RegExp): AbortController {
  const controller = new AbortController();
  pipeline.onThreadLine((line) => {
    if (pattern.test(line) && !controller.signal.aborted) {
      controller.abort(new Error(`test: Pitstop stopped at "${line}"`));
    }
  });
  return controller;
}
