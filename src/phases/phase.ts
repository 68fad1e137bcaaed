import type { Config } from '../config.js';
import type { JobAction, MaintenanceJob, Phase } from '../domain/job.js';
import type { Clock, Cloud, Cluster, HealthRunner, Notifier, Webhooks } from '../ports.js';

/** What every phase may use. Phases see ports only, never adapters. */
export interface PhasePorts {
  cloud: Cloud;
  cluster: Cluster;
  health: HealthRunner;
  notifier: Notifier;
  clock: Clock;
  /** TICKET_WEBHOOK_URL and BOOKKEEPING_WEBHOOK_URL; none set: absent. */
  webhooks?: Webhooks;
}

/** The pipeline settings a phase reads (from `Config.pipeline`, `Config.oci.tag`, `Config.health`). */
export interface PhaseSettings {
  leadTimeMs: number;
  drainTimeoutMs: number;
  /** DUE_WARNING: how long before the hard due date a drain still waiting asks a human. */
  dueWarningMs: number;
  maintenanceTimeoutMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  backTimeoutMs: number;
  failMode: Config['pipeline']['failMode'];
  /** Freeform tag key set on events Pitstop handled. */
  tag: string;
}

export interface PhaseContext {
  ports: PhasePorts;
  settings: PhaseSettings;
  /**
   * The other open (not done) jobs on the job's node, the one to work it next first. Supplied
   * by the orchestrator from the store (phases never see the store); none when absent.
   */
  otherJobsOnNode?: (job: MaintenanceJob) => MaintenanceJob[];
  /** Aborted when Pitstop shuts down: the phase stops waiting; it is run again on restart. */
  signal?: AbortSignal;
  /**
   * Aborted by the orchestrator once a due decision (proceed / leave to OCI) is in the store, so
   * a drain waiting on Slurm jobs stops at once rather than at its next look.
   */
  dueDecided?: AbortSignal;
}

/**
 * One phase of the pipeline: looks at the real state first (Slurm node, OCI event), does its
 * side effect only if it is not done already, and returns the action that moves the job on.
 * Running a phase twice for the same job (after a crash) must never act twice. A problem a
 * human must solve is returned as a `fail` action with a reason for the thread, not thrown.
 */
export type PhaseHandler = (job: MaintenanceJob, context: PhaseContext) => Promise<JobAction>;

/** The phases that do work; `awaiting_approval` waits for a human and `done` is the end. */
export type WorkingPhase = Exclude<Phase, 'awaiting_approval' | 'done'>;
