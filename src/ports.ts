/**
 * The interfaces the phases use. Phases see only these; `cli.ts` wires the adapters
 * (src/oci, src/slurm, src/health, src/store, src/slack) or the simulators (src/sim) to them.
 */
import type { MaintenanceEvent } from './domain/event.js';
import type { JobAction, MaintenanceJob, SlackRef, TicketRef } from './domain/job.js';
import type { NodeMapping } from './domain/mapping.js';
import type { NodeStatus, SlurmJob } from './domain/node.js';
import type { PauseState } from './domain/pause.js';
import type { Reservation } from './domain/reservation.js';
import type { Termination } from './domain/terminate.js';
import type { Verdict } from './domain/verdict.js';

export type { NodeMapping } from './domain/mapping.js';

/** Every wait takes the clock, so hours of polling run in milliseconds under test. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Progress of a long wait, for the event's Slack thread and the logs. */
export type ProgressReporter = (message: string) => void;

export interface WaitOptions {
  /** Give up (with an error naming what was awaited) at this time. */
  deadline: Date;
  onProgress?: ProgressReporter;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------- Cloud (OCI)

export interface Compartment {
  id: string;
  name: string;
  parentId?: string;
}

export interface Instance {
  id: string;
  displayName: string;
  shape: string;
  compartmentId: string;
  lifecycleState: string;
  /** The primary VNIC's private IP, when known: matched against a Slurm node's NodeAddr. */
  primaryVnicAddress?: string;
}

export type WorkRequestStatus =
  | 'ACCEPTED'
  | 'IN_PROGRESS'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED';

export interface WorkRequest {
  id: string;
  status: WorkRequestStatus;
  percentComplete?: number;
  /** Filled from `listWorkRequestErrors` when the request FAILED. */
  errors: string[];
}

export type ScheduleResult =
  | { kind: 'scheduled'; workRequestId: string; windowStart: string }
  /** `canReschedule` is false: OCI acts at its own window; we drain ahead of it and wait. */
  | { kind: 'fixed_window'; windowStart: string; reason: string };

export interface ScheduleRequest {
  eventId: string;
  windowStart: Date;
  /** Derived from the job (`retryTokenFor`), so a retry never schedules twice. */
  retryToken: string;
  /** Merged into the event's freeform tags; existing tags are kept. */
  tags: Record<string, string>;
}

export interface RunCommandResult {
  exitCode: number;
  /** OCI keeps only the last 1 KB of text output; scripts print their summary last. */
  output: string;
}

/** Something a discovery sweep could not read this time; the next sweep tries again. */
export interface DiscoverySkip {
  kind: 'compartment' | 'event';
  id: string;
  error: string;
}

export interface Discovery {
  /**
   * The SCHEDULED events (maintenance still to come) of every compartment swept, and each known
   * event as it stands now. Each was read by this sweep: listed, or fetched by itself.
   */
  events: MaintenanceEvent[];
  /** Not empty: the sweep was partial, and events there are unknown until a later sweep reads them. */
  skipped: DiscoverySkip[];
}

export interface Cloud {
  /**
   * Events in every compartment the tenancy (or the configured list) holds. `known`: the events
   * Pitstop holds already; one listed unchanged is returned as held (not read again), one that
   * left the list (started, ended, canceled, moved) is read by itself. `finished`: events whose
   * job has ended (denied, say, while OCI still schedules them); listed, they are neither read
   * nor returned.
   */
  discoverEvents(options?: {
    onProgress?: ProgressReporter;
    known?: readonly MaintenanceEvent[];
    finished?: (eventId: string) => boolean;
  }): Promise<Discovery>;
  getEvent(eventId: string): Promise<MaintenanceEvent>;
  getInstance(instanceId: string): Promise<Instance>;
  schedule(request: ScheduleRequest): Promise<ScheduleResult>;
  getWorkRequest(workRequestId: string): Promise<WorkRequest>;
  /** Merges freeform tags into the event without moving its window (bookkeeping). */
  tagEvent(eventId: string, tags: Record<string, string>): Promise<void>;
  runCommand(instanceId: string, script: string, options: WaitOptions): Promise<RunCommandResult>;
  /**
   * Terminates the instance (its boot volume kept). OCI's TerminateInstance takes no retry token:
   * callers read the instance's state first and record the call durably before and after it.
   */
  terminateInstance(instanceId: string): Promise<void>;
}

// ---------------------------------------------------------------- Cluster (Slurm)

export type DrainMode = 'DRAIN' | 'DOWN';

export type ResumeResult =
  | { resumed: true }
  /** The node carries someone else's reason (or none): it stays as it is. */
  | { resumed: false; why: string };

export type DrainResult =
  | { ours: true }
  /** Someone else already holds the node out: their reason stays, and this job never resumes it. */
  | { ours: false; why: string };

export interface DrainOptions {
  /** Hands over a drain: the node may carry this job's reason, which the new reason replaces. */
  from?: string;
}

export interface ResumeOptions {
  /** The job resuming: only a drain whose reason is this job's. Without it, only a hand hold (`pitstop:`). */
  owner?: string;
  /** Resumes whatever the reason (an operator's decision, `pitstop node resume --force`). */
  force?: boolean;
}

export interface DrainProgress {
  status: NodeStatus;
  blocking: SlurmJob[];
  waitedMs: number;
}

export interface Cluster {
  status(node: string): Promise<NodeStatus>;
  listNodes(): Promise<NodeStatus[]>;
  slurmJobsOn(node: string): Promise<SlurmJob[]>;
  /** Every Slurm reservation, with its node list expanded (a reservation gate reads it). */
  reservations(): Promise<Reservation[]>;
  /**
   * `reason` is a job's (`pitstop <jobId>: …`) or a hand hold (`pitstop: …`); Slurm refuses a
   * drain without one. A node out of service with any other reason is left as it is.
   */
  drain(node: string, reason: string, options?: DrainOptions): Promise<DrainResult>;
  waitDrained(
    node: string,
    options: WaitOptions & { onDrainProgress?: (p: DrainProgress) => void },
  ): Promise<NodeStatus>;
  /** Only resumes a node whose reason is `owner`'s (a hand hold without `owner`), unless `force`. */
  resume(node: string, options?: ResumeOptions): Promise<ResumeResult>;
  /** Keeps a node that failed its checks out with the job's reason; anyone else's hold is left as it is. */
  markFailed(node: string, reason: string, mode: DrainMode): Promise<DrainResult>;
  /** The node responds again and its slurmd registered after `since`. */
  waitBack(node: string, since: Date, options: WaitOptions): Promise<NodeStatus>;
}

// ---------------------------------------------------------------- NodeMapper

/** Finds the Slurm node of each instance, on evidence only (NODE_MAPPING's steps). */
export interface NodeMapper {
  /** `held`: the nodes active jobs work on (node → instance OCID); no other instance may claim them. */
  map(instanceIds: string[], held?: ReadonlyMap<string, string>): Promise<NodeMapping>;
}

// ---------------------------------------------------------------- Health

export interface HealthTarget {
  node: string;
  instanceId: string;
  shape?: string;
  address?: string;
  /** The maintenance ended here: kernel messages before it are not this node's present. */
  since: Date;
}

export interface HealthRunOptions extends Omit<WaitOptions, 'deadline'> {
  /**
   * The node must be back (slurmd re-registered, answering over the transport) by then. The
   * checks then get their own budget (HEALTH_TIMEOUT) from when it answered.
   */
  backDeadline: Date;
}

export interface HealthRunner {
  run(target: HealthTarget, options: HealthRunOptions): Promise<Verdict>;
}

// ---------------------------------------------------------------- Store

/**
 * An audit record that is no job transition: a refused attempt (`refused`), a pause
 * (`paused` / `unpaused`), a terminate request, its outcome or its refusal. The store adds `at`; job records also carry jobId, eventId, node.
 */
export interface AuditEntry {
  type: 'refused' | 'paused' | 'unpaused' | 'terminate_requested' | 'terminated' | 'terminate_refused';
  by: string;
  [field: string]: unknown;
}

export interface Store {
  get(jobId: string): MaintenanceJob | undefined;
  findByEvent(eventId: string): MaintenanceJob | undefined;
  /** True when a job for this event exists or existed (finished jobs are archived). */
  knowsEvent(eventId: string): boolean;
  /** The active jobs (finished ones live in the audit log). */
  list(): MaintenanceJob[];
  /** Durable before it resolves. Rejects a second job for the same event. */
  create(job: MaintenanceJob): Promise<MaintenanceJob>;
  /** Applies `transition()` and makes the result durable before it resolves. */
  apply(jobId: string, action: JobAction): Promise<MaintenanceJob>;
  /** Fields that are not phase changes (node mapping, Slack thread, refreshed event). */
  annotate(
    jobId: string,
    patch: Partial<
      Pick<MaintenanceJob, 'node' | 'slack' | 'announcedAt' | 'event' | 'eventReadAt' | 'reason'>
    >,
  ): Promise<MaintenanceJob>;
  /** Written to the audit log, durable before it resolves. */
  writeAudit(entry: AuditEntry): Promise<void>;
  /** Set while no new job may start; kept beside the state, so it survives a restart. */
  paused(): PauseState | undefined;
  /** Durable before it resolves; `undefined` lifts the pause. */
  setPaused(state: PauseState | undefined): Promise<void>;
  /** The terminate requests of a job (two-person rule); kept after the job is archived. */
  termination(jobId: string): Termination | undefined;
  listTerminations(): Termination[];
  /** Durable before it resolves. */
  setTermination(record: Termination): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- Notifier (Slack or logs)

/** Where an announcement was posted (Slack: the message whose thread the job uses; headless: nowhere). */
export interface Announcement {
  slack?: SlackRef;
}

export interface Notifier {
  /**
   * A new event: the message with Approve / Deny. Resolves once posted, with where; the job
   * records it, and an announcement that rejected is posted again at the next sweep.
   */
  announce(job: MaintenanceJob): Promise<Announcement>;
  /**
   * Optional: the jobs one sweep created, after each was announced on its own (Slack adds a
   * digest with Approve all when there are more than SLACK_DIGEST_THRESHOLD).
   */
  announceBatch?(jobs: MaintenanceJob[]): Promise<void>;
  /** The job moved to another phase: update the message, say it in the thread. */
  phaseChanged(job: MaintenanceJob, previous: MaintenanceJob): Promise<void>;
  /** A line of progress into the event's thread. */
  progress(job: MaintenanceJob, message: string): Promise<void>;
}

// ---------------------------------------------------------------- Webhooks (outside systems)

export interface WebhookCallOptions {
  /** The first failure of a run of retries, for the thread. */
  onRetry?: ProgressReporter;
  signal?: AbortSignal;
}

/**
 * Outside systems told about a job over HTTP. Each call sends the same idempotency key on every
 * retry (also after a restart), retries until WEBHOOK_TIMEOUT, and rejects once it failed for
 * good. A method is absent when its URL is not set.
 */
export interface Webhooks {
  /** TICKET_WEBHOOK_URL: a ticket for a node kept out after failing; resolves with what the answer named. */
  openTicket?(job: MaintenanceJob, options?: WebhookCallOptions): Promise<TicketRef>;
  /** BOOKKEEPING_WEBHOOK_URL: the finished job's record (for a CMDB). */
  recordFinished?(job: MaintenanceJob, options?: WebhookCallOptions): Promise<void>;
}
