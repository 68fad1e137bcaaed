import { setMaxListeners } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { DueChoice } from './domain/due-date.js';
import { fixedWindowWait } from './domain/fixed-window.js';
import type { MaintenanceJob, Phase } from './domain/job.js';
import type { PauseState } from './domain/pause.js';
import { Capacity } from './domain/policy.js';
import type { Verdict } from './domain/verdict.js';
import type { BlockerHold, Gates } from './gates/gates.js';
import type { Logger } from './log.js';
import { LoggedNotifier } from './notify/logged-notifier.js';
import { type ApprovalSource, type Decision, decide } from './orchestrator/decide.js';
import { recordingEventReads } from './orchestrator/event-reads.js';
import { tellIfHeldFor } from './orchestrator/held-node.js';
import { recordPause, recordUnpause } from './orchestrator/pause.js';
import { resolveRef } from './orchestrator/resolve-ref.js';
import { type SweepResult, sweepOnce } from './orchestrator/sweep.js';
import { type TerminateAnswer, Terminations } from './orchestrator/terminate.js';
import { PHASE_HANDLERS, type PhasePorts, type PhaseSettings, type WorkingPhase } from './phases/index.js';
import { formatDuration } from './poll.js';
import type { DiscoverySkip, NodeMapper, Store } from './ports.js';

export type { ApprovalSource } from './orchestrator/decide.js';
export { JobRefError } from './orchestrator/resolve-ref.js';
export type { SweepResult } from './orchestrator/sweep.js';

export interface OrchestratorOptions {
  /** DISCOVERY_CRON. */
  discoveryCron: string;
  maxWorkers: number;
  maxNodesOut: number;
  maxPartitionOutPercent: number;
  autoApprove: readonly string[];
  /** FIXED_WINDOW_DRAIN_LEAD: how long before OCI's fixed window its node is drained. */
  fixedWindowDrainLeadMs: number;
  /** DRY_RUN: discover, announce and decide, but run no working phase. */
  dryRun: boolean;
  /** TRIAGE_TERMINATE: a failed node's instance may be terminated, after two people asked. */
  triageTerminate: boolean;
}

export interface OrchestratorDeps {
  ports: PhasePorts;
  /** The audit log's path too: finished jobs are found there (terminate). */
  store: Store & { readonly auditFile: string };
  mapper: NodeMapper;
  settings: PhaseSettings;
  options: OrchestratorOptions;
  log: Logger;
  /** MAINTENANCE_WINDOWS and the blockers that hold new drains; none: drains start whenever capacity allows. */
  gates?: Gates;
}

export interface OrchestratorStatus {
  started: boolean;
  dryRun: boolean;
  lastSweep?: { at: string; ok: boolean; error?: string; discovered?: number };
  /**
   * What the last sweep could not read. Not empty: the bot works but sees only part of the
   * fleet; /healthz still answers 200 (a partial sweep is not a dead bot) and lists these.
   */
  degraded: DiscoverySkip[];
  jobsByPhase: Partial<Record<Phase, number>>;
  workersRunning: number;
  waitingToStart: number;
  /** Set while no new job starts (`pause`); running ones finish. */
  paused?: PauseState;
  /** The blockers that held a drain at the last look (BLOCK_FILE, a Slurm reservation, Prometheus). */
  blockers?: BlockerHold[];
}

/** How often a held drain looks at its blockers again between sweeps, so a lifted one is seen within a minute. */
const BLOCKER_RECHECK_CRON = '* * * * *';

/** Why an approved job may wait to start; each is said once in its thread (a blocker: once per blocker). */
type WaitKind = 'node' | 'capacity' | 'pause' | 'window' | 'window-note' | `blocker ${string}`;

const isWorking = (phase: Phase): phase is WorkingPhase => phase !== 'awaiting_approval' && phase !== 'done';

/**
 * Owns the jobs: discovery sweeps (never two at once), decisions, and the workers that walk
 * approved jobs through PHASE_HANDLERS, at most MAX_WORKERS at once and within the capacity
 * policy. Each transition is durable (`store.apply`) before the next phase acts, and each phase
 * checks the real state first, so after a crash `start()` simply runs the phase again.
 */
export class Orchestrator {
  private readonly abort = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  /** Approved jobs not started yet, in the order they were approved. */
  private readonly queued = new Set<string>();
  /** Jobs whose thread was told why they wait (for capacity, for their node), so each is said once. */
  private readonly toldWaiting = new Set<string>();
  /**
   * Timers that pump again when a wait ends: a job's fixed window's lead (keyed by job id; it says
   * it waits, once) and the next opening of MAINTENANCE_WINDOWS (keyed by that time).
   */
  private readonly windowTimers = new Map<string, Promise<void>>();
  /** Per running job: aborted when its due decision is taken, to end its drain's wait at once. */
  private readonly dueDecided = new Map<string, AbortController>();
  private pumping: Promise<void> = Promise.resolve();
  /** A pass is queued and has not begun: it will see whatever asks for another one now. */
  private pumpQueued = false;
  private sweeping: Promise<SweepResult> | undefined;
  private task: ScheduledTask | undefined;
  private blockerTask: ScheduledTask | undefined;
  private started = false;
  private lastSweep: OrchestratorStatus['lastSweep'];
  private degraded: DiscoverySkip[] = [];

  /**
   * The ports for the sweeps, the phases and the decisions: a notifier that logs the posts that
   * fail, and a cloud that records each event read on its job.
   */
  private readonly ports: PhasePorts;

  private readonly terminations: Terminations;

  constructor(private readonly deps: OrchestratorDeps) {
    // Every waiting worker (sleeps, polls) listens on this one signal: MAX_WORKERS of them are expected, not a leak.
    setMaxListeners(0, this.abort.signal);
    this.ports = {
      ...deps.ports,
      cloud: recordingEventReads(deps.ports.cloud, deps.store, deps.ports.clock),
      notifier: new LoggedNotifier(deps.ports.notifier, deps.log),
    };
    this.terminations = new Terminations({
      ...this.ports,
      store: deps.store,
      enabled: deps.options.triageTerminate,
      log: deps.log,
    });
  }

  /** Resumes the jobs a previous run left in a working phase, then discovers now and on schedule. */
  async start(): Promise<void> {
    // A job past its drain holds its node: it goes before one still to drain the same node.
    const resumable = this.deps.store
      .list()
      .filter((job) => isWorking(job.phase))
      .sort(
        (a, b) =>
          Number(a.phase === 'draining') - Number(b.phase === 'draining') ||
          a.createdAt.localeCompare(b.createdAt),
      );
    for (const job of resumable) {
      this.deps.log.info(
        { jobId: job.id, eventId: job.eventId, node: job.node, phase: job.phase },
        'resuming',
      );
      this.queued.add(job.id);
    }
    this.pump();
    await this.terminations.settleInterrupted().catch((error: unknown) => {
      this.deps.log.error(
        { component: 'terminate', err: error },
        'could not settle an interrupted terminate; the next request does',
      );
    });
    this.task = cron.schedule(this.deps.options.discoveryCron, () => this.sweepLogged(), {
      noOverlap: true,
      name: 'pitstop-discovery',
    });
    if (this.deps.gates?.blockers.length) {
      this.blockerTask = cron.schedule(BLOCKER_RECHECK_CRON, () => this.pump(), { name: 'pitstop-blockers' });
    }
    this.started = true;
    await this.sweepLogged();
  }

  /** Stops discovery and the workers; a job stops inside its phase and resumes at the next start. */
  async stop(): Promise<void> {
    this.started = false;
    await this.task?.stop();
    // Only when there is one: an await more before the abort lets a running phase go a step further.
    if (this.blockerTask) await this.blockerTask.stop();
    this.abort.abort(new Error('Pitstop is shutting down'));
    await Promise.allSettled([this.sweeping]);
    await this.idle();
  }

  /**
   * One discovery. A call while one runs gets that sweep's result (and `joined: true`) rather
   * than asking OCI twice or racing on the same new events.
   */
  async sweep(): Promise<SweepResult & { joined: boolean }> {
    if (this.sweeping) return { ...(await this.sweeping), joined: true };
    const { deps } = this;
    this.sweeping = sweepOnce({
      ...this.ports,
      store: deps.store,
      mapper: deps.mapper,
      log: deps.log,
      autoApprove: deps.options.autoApprove,
    });
    try {
      const result = await this.sweeping;
      this.lastSweep = { at: result.at, ok: true, discovered: result.discovered };
      this.degraded = result.skipped;
      for (const job of result.approved) this.enqueue(job);
      // A sweep is also a moment to look at capacity again (nodes may be back by hand).
      this.pump();
      return { ...result, joined: false };
    } catch (error) {
      this.lastSweep = {
        at: this.ports.clock.now().toISOString(),
        ok: false,
        error: (error as Error).message,
      };
      this.degraded = [];
      throw error;
    } finally {
      this.sweeping = undefined;
    }
  }

  /** Approves the job `ref` names and starts its worker (within MAX_WORKERS and capacity). */
  async approve(ref: string, by: string, via: ApprovalSource): Promise<MaintenanceJob> {
    const after = await this.decided(ref, { decision: 'approve', by, via });
    this.enqueue(after);
    return after;
  }

  /** Ends the job `ref` names; its node is left alone. */
  async deny(ref: string, by: string, via: ApprovalSource, reason: string): Promise<MaintenanceJob> {
    const after = await this.decided(ref, { decision: 'deny', by, via, reason });
    await tellIfHeldFor(after, { ...this.ports, log: this.deps.log });
    return after;
  }

  /** Any decision (what the control socket passes on): approve, deny, proceed or leave to OCI. */
  takeDecision(ref: string, decision: Decision): Promise<MaintenanceJob> {
    const { by, via } = decision;
    switch (decision.decision) {
      case 'approve':
        return this.approve(ref, by, via);
      case 'deny':
        return this.deny(ref, by, via, decision.reason);
      default:
        return this.decideDue(ref, decision.decision, by, via);
    }
  }

  /**
   * Proceed now, or leave it to OCI: for a job whose drain waits on Slurm jobs (near its hard due
   * date). The drain's wait ends at once, before the decision's write lands: `store.apply` has
   * changed the job in memory when it returns its promise, so the drain, woken here, finds the
   * decision when its own action is applied. Refused (and nothing woken) unless the job drains.
   */
  async decideDue(ref: string, choice: DueChoice, by: string, via: ApprovalSource): Promise<MaintenanceJob> {
    const { id } = resolveRef(this.deps.store.list(), ref);
    const deciding = this.decided(id, { decision: choice, by, via });
    if (this.deps.store.get(id)?.dueDecision) this.dueDecided.get(id)?.abort();
    return deciding;
  }

  private async decided(ref: string, decision: Decision): Promise<MaintenanceJob> {
    const { before, after } = await decide(this.deps.store, ref, decision);
    await this.ports.notifier.phaseChanged(after, before);
    return after;
  }

  /**
   * Asks to terminate the instance of the node job `ref` kept out after it failed its checks;
   * the second request by someone else performs it (see Terminations).
   */
  terminate(ref: string, by: string, via: 'slack' | 'cli'): Promise<TerminateAnswer> {
    return this.terminations.request(ref, by, via);
  }

  /**
   * From now on no approved job starts its drain until `unpause`; jobs past their drain go on.
   * Discovery and decisions go on too. Durable (it survives a restart) and audited.
   */
  async pause(by: string, reason: string): Promise<PauseState> {
    const state = await recordPause(this.deps.store, this.ports.clock, by, reason);
    this.deps.log.warn({ component: 'orchestrator', ...state }, `paused by ${by}: no new job starts`);
    return state;
  }

  async unpause(by: string): Promise<void> {
    await recordUnpause(this.deps.store, by);
    this.deps.log.info({ component: 'orchestrator', by }, `unpaused by ${by}: approved jobs start again`);
    this.pump();
  }

  paused(): PauseState | undefined {
    return this.deps.store.paused();
  }

  /**
   * GPU checks of `node` now, outside any maintenance (`/pitstop health`): the node as it is
   * since its last boot. Refused while a job works the node (it runs its own checks).
   */
  async checkHealth(node: string, by: string): Promise<Verdict> {
    const jobs = this.deps.store.list().filter((job) => job.node === node);
    const working = jobs.find((job) => isWorking(job.phase));
    if (working) {
      throw new Error(
        `job ${working.id} (event ${working.eventId}) is working ${node} (${working.phase}) and runs its own checks; its verdict comes in the event's thread`,
      );
    }
    const { cluster, cloud, health, clock } = this.ports;
    const status = await cluster.status(node);
    const since = status.bootTime ?? status.slurmdStartTime;
    if (since === undefined) {
      throw new Error(
        `Slurm shows no boot time for ${node}; run pitstop health run ${node} --since <time> on the controller`,
      );
    }
    // Only Run Command needs the instance; a job awaiting approval on the node knows it.
    const instanceId = jobs[0]?.event.instanceId ?? '';
    const shape = instanceId
      ? await cloud.getInstance(instanceId).then(
          (i) => i.shape,
          () => undefined,
        )
      : undefined;
    this.deps.log.info({ component: 'health', node, by }, `ad-hoc health checks of ${node} asked by ${by}`);
    return health.run(
      { node, instanceId, shape, address: status.address, since: new Date(since) },
      {
        backDeadline: new Date(clock.now().getTime() + this.deps.settings.backTimeoutMs),
        signal: this.abort.signal,
      },
    );
  }

  status(): OrchestratorStatus {
    const jobsByPhase: Partial<Record<Phase, number>> = {};
    for (const job of this.deps.store.list()) jobsByPhase[job.phase] = (jobsByPhase[job.phase] ?? 0) + 1;
    return {
      started: this.started,
      dryRun: this.deps.options.dryRun,
      lastSweep: this.lastSweep,
      degraded: this.degraded,
      jobsByPhase,
      workersRunning: this.running.size,
      waitingToStart: this.queued.size,
      ...(this.paused() ? { paused: this.paused() } : {}),
      ...(this.deps.gates?.activeHolds().length ? { blockers: this.deps.gates.activeHolds() } : {}),
    };
  }

  /**
   * Resolves once no worker runs, no job waits for its fixed window, and none can start now (for
   * tests and a clean shutdown, where the abort ends those waits).
   */
  async idle(): Promise<void> {
    for (;;) {
      const pumping = this.pumping;
      await Promise.allSettled([...this.running.values(), ...this.windowTimers.values(), pumping]);
      if (this.running.size === 0 && this.windowTimers.size === 0 && pumping === this.pumping) return;
    }
  }

  private async sweepLogged(): Promise<void> {
    try {
      const result = await this.sweep();
      if (!result.joined) {
        this.deps.log.info(
          { component: 'discovery', ...result, approved: result.approved.map((j) => j.eventId) },
          `sweep: ${result.discovered} events, ${result.created.length} new`,
        );
      }
    } catch (error) {
      this.deps.log.error(
        { component: 'discovery', err: error },
        'discovery sweep failed; retried at the next one',
      );
    }
  }

  private enqueue(job: MaintenanceJob) {
    if (!isWorking(job.phase)) return;
    this.queued.add(job.id);
    this.pump();
  }

  /** Starts queued jobs while workers and capacity allow; one look at a time, so two jobs never pass the check together. */
  private pump() {
    if (this.abort.signal.aborted || this.pumpQueued) return;
    this.pumpQueued = true;
    this.pumping = this.pumping
      .then(() => {
        this.pumpQueued = false;
        return this.startWhatMay();
      })
      .catch((error: unknown) => {
        this.deps.log.error({ err: error }, 'could not start the waiting jobs; trying again later');
      });
  }

  private async startWhatMay() {
    const { store, options } = this.deps;
    const blockerHold = this.deps.gates?.look(this.ports.clock.now());
    // One job works a node at a time: the running one, then the queued ones in order.
    const nodeTakenBy = new Map<string, MaintenanceJob>();
    for (const id of this.running.keys()) {
      const running = store.get(id);
      if (running?.node) nodeTakenBy.set(running.node, running);
    }
    // Slurm's node list is read once a pass (at its first drain), not once per queued job.
    let capacity: Capacity | string | undefined;
    for (const id of [...this.queued]) {
      if (this.abort.signal.aborted || this.running.size >= options.maxWorkers) break;
      const job = store.get(id);
      if (!job || !isWorking(job.phase)) {
        this.queued.delete(id);
        continue;
      }
      if (options.dryRun) {
        this.queued.delete(id);
        await this.ports.notifier.progress(
          job,
          `DRY_RUN: would run ${job.phase} on ${job.node}; nothing was changed`,
        );
        continue;
      }
      const ahead = job.node ? nodeTakenBy.get(job.node) : undefined;
      if (ahead) {
        await this.sayWaiting(
          job,
          'node',
          `waits for job ${ahead.id} (event ${ahead.eventId}) on ${job.node}`,
        );
        continue;
      }
      const paused = job.phase === 'draining' ? this.paused() : undefined;
      if (paused) {
        // Looked at again at `unpause`. A job past its drain holds its node already and goes on.
        await this.sayWaiting(
          job,
          'pause',
          `waits: Pitstop is paused (by ${paused.by}${paused.reason ? `: ${paused.reason}` : ''}); it starts once unpaused`,
        );
        continue;
      }
      if (job.node) nodeTakenBy.set(job.node, job);
      if (job.phase === 'draining' && (await this.waitsForFixedWindow(job))) continue;
      if (job.phase === 'draining' && blockerHold && (await this.heldByGates(job, blockerHold))) continue;
      // Only a drain takes a node out; a job past it (resumed after a restart) holds its node already.
      let why: string | undefined;
      if (job.phase === 'draining') {
        capacity ??= await this.readCapacity();
        why = await this.capacityRefusal(job, capacity);
      }
      if (this.abort.signal.aborted) break;
      if (why) {
        // Looked at again when a job finishes and at every sweep (the discovery timer).
        await this.sayWaiting(job, 'capacity', `waiting to start: ${why}`);
        continue;
      }
      this.queued.delete(id);
      if (capacity instanceof Capacity && job.node) capacity.take(job.node);
      this.forgetWaits(id);
      this.running.set(
        id,
        this.work(job).finally(() => {
          this.running.delete(id);
          this.pump();
        }),
      );
    }
  }

  /** Says once in the job's thread why it waits, for each kind of wait. */
  private async sayWaiting(job: MaintenanceJob, kind: WaitKind, message: string) {
    const key = `${job.id} ${kind}`;
    if (this.toldWaiting.has(key)) return;
    this.toldWaiting.add(key);
    await this.ports.notifier.progress(job, message);
  }

  /** The job's waits of the kinds starting with `prefix` (all by default) are over: a new one is said again. */
  private forgetWaits(jobId: string, prefix = '') {
    for (const key of this.toldWaiting)
      if (key.startsWith(`${jobId} ${prefix}`)) this.toldWaiting.delete(key);
  }

  /**
   * True while MAINTENANCE_WINDOWS or a blocker holds the job's drain. Outside every window a
   * timer on the injected clock pumps again at the opening; a blocker is looked at again at
   * every pump, every sweep and every minute (BLOCKER_RECHECK_CRON).
   */
  private async heldByGates(
    job: MaintenanceJob,
    blockerHold: (job: MaintenanceJob) => Promise<BlockerHold | undefined>,
  ): Promise<boolean> {
    const window = this.deps.gates!.window(job, this.ports.clock.now());
    if (!window.start) {
      if (window.opening) this.pumpAt(`window ${window.opening.at.toISOString()}`, window.opening.at);
      await this.sayWaiting(job, 'window', `${job.node}: ${window.message}`);
      return true;
    }
    const hold = await blockerHold(job);
    if (hold) {
      await this.sayWaiting(
        job,
        `blocker ${hold.blocker}`,
        `${job.node}: held by ${hold.blocker}: ${hold.message}`,
      );
      return true;
    }
    this.forgetWaits(job.id, 'blocker ');
    if (window.note) await this.sayWaiting(job, 'window-note', `${job.node}: ${window.note}`);
    else this.forgetWaits(job.id, 'window');
    return false;
  }

  /** Pumps again at `until` on the injected clock (one timer per key); a shutdown ends the wait. */
  private pumpAt(key: string, until: Date) {
    if (this.windowTimers.has(key)) return;
    const { clock } = this.ports;
    const timer = clock
      .sleep(until.getTime() - clock.now().getTime(), this.abort.signal)
      .then(
        () => this.pump(),
        () => {}, // shutting down: the job waits again at the next start
      )
      .finally(() => this.windowTimers.delete(key));
    this.windowTimers.set(key, timer);
  }

  /**
   * The other open jobs on the job's node, the one to work it next first: approved ones in the
   * order they run, then those awaiting approval, oldest first. Triage hands its drain to it.
   */
  private otherJobsOnNode(job: MaintenanceJob): MaintenanceJob[] {
    const queue = [...this.queued];
    const rank = (other: MaintenanceJob) => {
      const queued = queue.indexOf(other.id);
      return queued >= 0 ? queued : isWorking(other.phase) ? -1 : queue.length;
    };
    return this.deps.store
      .list()
      .filter((other) => other.id !== job.id && other.node === job.node && other.phase !== 'done')
      .sort((a, b) => rank(a) - rank(b) || a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * True while the job's fixed window is further away than FIXED_WINDOW_DRAIN_LEAD. The thread
   * is told once, and a timer on the injected clock pumps again when the drain may start.
   */
  private async waitsForFixedWindow(job: MaintenanceJob): Promise<boolean> {
    const { clock, notifier } = this.ports;
    const leadMs = this.deps.options.fixedWindowDrainLeadMs;
    const wait = fixedWindowWait(job.event, clock.now(), leadMs);
    if (!wait) return false;
    if (this.windowTimers.has(job.id)) return true;
    this.pumpAt(job.id, wait.until);
    await notifier.progress(
      job,
      `${job.node}: waits until ${wait.until.toISOString()} to drain ` +
        `(${formatDuration(leadMs)} before OCI's fixed window at ${wait.windowStart.toISOString()}); it starts by itself then`,
    );
    return true;
  }

  /** The capacity as Slurm shows it now with the jobs running, or why it cannot be told. */
  private async readCapacity(): Promise<Capacity | string> {
    try {
      return new Capacity({
        nodes: await this.ports.cluster.listNodes(),
        jobsInProgress: [...this.running.keys()].flatMap((id) => this.deps.store.get(id) ?? []),
        maxNodesOut: this.deps.options.maxNodesOut,
        maxPartitionOutPercent: this.deps.options.maxPartitionOutPercent,
      });
    } catch (error) {
      return `cannot read Slurm's node list to check capacity (${(error as Error).message})`;
    }
  }

  private async capacityRefusal(
    job: MaintenanceJob,
    capacity: Capacity | string,
  ): Promise<string | undefined> {
    if (typeof capacity === 'string') return capacity;
    const answer = capacity.mayTakeOut(job.node!);
    if (!answer.allowed) return answer.reason;
    for (const note of answer.notes) await this.ports.notifier.progress(job, note);
    return undefined;
  }

  /** Runs the job phase by phase until it needs a human decision or is done. */
  private async work(first: MaintenanceJob): Promise<void> {
    const { store, settings, log } = this.deps;
    const { ports } = this;
    const dueDecided = new AbortController();
    this.dueDecided.set(first.id, dueDecided);
    const context = {
      ports,
      settings,
      signal: this.abort.signal,
      dueDecided: dueDecided.signal,
      otherJobsOnNode: (job: MaintenanceJob) => this.otherJobsOnNode(job),
    };
    let job = first;
    try {
      while (isWorking(job.phase)) {
        const action = await PHASE_HANDLERS[job.phase](job, context);
        const previous = job;
        job = await store.apply(job.id, action);
        await ports.notifier.phaseChanged(job, previous);
      }
    } catch (error) {
      const where = { jobId: job.id, eventId: job.eventId, node: job.node, phase: job.phase };
      if (this.abort.signal.aborted) {
        log.info(where, `stopped in ${job.phase}; it resumes there at the next start`);
      } else {
        // Phases turn trouble into `fail`; reaching here means the store or a bug: leave the job where it is.
        log.error(
          { ...where, err: error },
          `job stopped in ${job.phase}: ${(error as Error).message}; it resumes at the next start`,
        );
      }
    } finally {
      this.dueDecided.delete(first.id);
    }
  }
}
