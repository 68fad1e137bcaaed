import { JobStore } from '../../src/store/job-store.js';
import { localHealthRunner } from '../support/gpu-standins.js';
import {
  capturingLogger,
  type OrchestratorRig,
  orchestratorOver,
  tempStateFile,
} from '../support/orchestrator.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import type { Captured } from './captured.js';
import { type FleetRecord, readAudit } from './invariants.js';

/**
 * A chaos case in one process: the orchestrator over the pipeline's real adapters (the OCI SDK
 * against the OCI simulator, the Slurm simulator under the real SlurmCluster, the real health
 * runner) on a ManualClock that jumps over every wait, with a real store on disk.
 */
export interface PipelineCase extends OrchestratorRig {
  pipeline: Pipeline;
  stateFile: string;
  /** The orchestrator's log lines, parsed. */
  logLines: Record<string, unknown>[];
  /**
   * Sweeps (again, up to three times, while a fault keeps the event unseen), approves the
   * event's job and waits until no job can move. Returns how many sweeps it took.
   */
  approveAndRun(eventId: string, node: string): Promise<number>;
  /** Every line of the event's thread (what Slack would show). */
  thread(eventId: string): string[];
  /** Runs `then` once a thread line matches (e.g. a fault that starts in the maintenance wait). */
  when(pattern: RegExp, then: () => void): void;
  record(): Promise<FleetRecord>;
  stop(): Promise<void>;
}

export const MAX_NODES_OUT = 4;

export async function pipelineCase(
  captured: Captured,
  /** HEALTH_TIMEOUT in real milliseconds, for checks that hang (the pipeline's own is a week). */
  options: { healthTimeoutMs?: number } = {},
): Promise<PipelineCase> {
  const pipeline = await startPipeline();
  captured.ociKey('OCI key', pipeline.oci.sim.credentials);
  const stateFile = tempStateFile();
  const { log, lines } = capturingLogger();
  const { healthTimeoutMs } = options;
  const health =
    healthTimeoutMs === undefined
      ? undefined
      : localHealthRunner({ ...pipeline, timeoutMs: healthTimeoutMs });
  const over: Pipeline = health
    ? {
        ...pipeline,
        context: (overrides) => {
          const context = pipeline.context(overrides);
          return { ...context, ports: { ...context.ports, health } };
        },
      }
    : pipeline;
  const rig = await orchestratorOver(over, stateFile, { maxNodesOut: MAX_NODES_OUT }, log);
  const fired = new Set<RegExp>();
  return {
    ...rig,
    pipeline,
    stateFile,
    logLines: lines,
    async approveAndRun(eventId, node) {
      let sweeps = 0;
      while (!rig.store.findByEvent(eventId) && sweeps < 3) {
        sweeps++;
        // As serve's scheduled sweep: a failed one is logged, and the next one tries again.
        await rig.orchestrator
          .sweep()
          .catch((error: Error) => log.warn({ err: error.message }, 'sweep failed'));
      }
      await rig.orchestrator.approve(node, 'U0ALICE', 'cli');
      await rig.orchestrator.idle();
      return sweeps;
    },
    thread: (eventId) => rig.notifier.thread(eventId),
    when(pattern, then) {
      rig.notifier.onLine((line) => {
        if (!fired.has(pattern) && pattern.test(line)) {
          fired.add(pattern);
          then();
        }
      });
    },
    record: () => fleetRecord(pipeline, rig.store.auditFile, stateFile),
    async stop() {
      captured.add(`log of ${stateFile}`, lines.map((line) => JSON.stringify(line)).join('\n'));
      await rig.close().catch(() => {});
      await pipeline.stop();
    },
  };
}

/** What the fleet saw in an in-process case: the Slurm simulator's updates, OCI's log, the store. */
export async function fleetRecord(
  pipeline: Pipeline,
  auditFile: string,
  stateFile: string,
): Promise<FleetRecord> {
  return {
    slurm: pipeline.slurmUpdates.map(({ node, update }) => ({
      node,
      state: update.state,
      ...('reason' in update ? { reason: update.reason } : {}),
      by: 'pitstop' as const,
    })),
    oci: pipeline.oci.sim.requests,
    audit: await readAudit(auditFile),
    state: await JobStore.read(stateFile),
    maxNodesOut: MAX_NODES_OUT,
  };
}
