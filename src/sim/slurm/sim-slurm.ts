import { NodeStatus, type SlurmJob } from '../../domain/node.js';
import type { Reservation } from '../../domain/reservation.js';
import type { Clock } from '../../ports.js';
import type { NodeUpdate, SlurmBackend } from '../../slurm/backend.js';
import { SlurmError, SlurmUnreachableError, UnknownNodeError } from '../../slurm/errors.js';
import { parseNodeState } from '../../slurm/parsers/node-state.js';

export interface SimNodeSpec {
  name: string;
  partitions?: string[];
  cpus?: number;
  gpus?: number;
  gpuType?: string;
  address?: string;
}

export interface SimSlurmOptions {
  clock: Clock;
  nodes: SimNodeSpec[];
  /** How long a stopped slurmd goes unnoticed (slurm.conf SlurmdTimeout; the test cluster's 10 s). */
  slurmdTimeoutMs?: number;
}

interface SimNode {
  spec: Required<SimNodeSpec>;
  drain: boolean;
  down: boolean;
  reason?: { text: string; user: string; at: number };
  slurmdStartedAt: number;
  bootedAt: number;
  /** Set while slurmd is stopped; with `restartAt` it comes back by itself (a reboot). */
  stoppedAt?: number;
  restartAt?: number;
  notResponding: boolean;
}

interface SimSlurmJob {
  id: string;
  node: string;
  user: string;
  name: string;
  gpus: number;
  startedAt: number;
  endsAt: number;
}

/** Slurm prints whole seconds; so does the simulator, so time comparisons behave the same. */
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;
const iso = (ms: number) => new Date(wholeSeconds(ms)).toISOString();
const pad = (n: number) => String(n).padStart(2, '0');

/** squeue's elapsed time: `M:SS`, `H:MM:SS`, `D-HH:MM:SS`. */
function slurmElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [days, hours, minutes, seconds] = [
    Math.floor(s / 86400),
    Math.floor(s / 3600) % 24,
    Math.floor(s / 60) % 60,
    s % 60,
  ];
  if (days > 0) return `${days}-${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${minutes}:${pad(seconds)}`;
}

/**
 * An in-memory Slurm for the demo and the contract suite. It follows what real Slurm 22.05 did
 * on the test cluster: a drain needs a reason, RESUME of a node that is neither drained nor down
 * is refused, Slurm jobs keep running on a draining node, a stopped slurmd is noticed only after
 * SlurmdTimeout (not responding, then DOWN, reason "Not responding" unless one is set), a slurmd that
 * registers again brings a DOWN node back (ReturnToService=2) while a drain stays.
 * Time moves only with the injected clock; state is brought up to date on every call.
 */
export class SimSlurm implements SlurmBackend {
  private readonly nodes = new Map<string, SimNode>();
  private slurmJobs: SimSlurmJob[] = [];
  private reservations: { name: string; nodes: string[]; start: number; end: number; users: string }[] = [];
  private nextJobId = 1;
  private controllerDownUntil?: number;
  private readonly slurmdTimeoutMs: number;

  constructor(private readonly options: SimSlurmOptions) {
    this.slurmdTimeoutMs = options.slurmdTimeoutMs ?? 10_000;
    // The nodes were up before the simulation began.
    const bootedAt = this.now() - 3_600_000;
    for (const spec of options.nodes) {
      this.nodes.set(spec.name, {
        spec: {
          partitions: ['gpu'],
          cpus: 2,
          gpus: 8,
          gpuType: 'h100',
          address: '127.0.0.1',
          ...spec,
        },
        drain: false,
        down: false,
        slurmdStartedAt: bootedAt,
        bootedAt,
        notResponding: false,
      });
    }
  }

  // ------------------------------------------------------------ SlurmBackend

  async showNodes(node?: string): Promise<NodeStatus[]> {
    this.answer();
    this.settle();
    const names = node ? [this.node(node).spec.name] : [...this.nodes.keys()];
    return names.map((name) => this.statusOf(name));
  }

  async slurmJobsOn(node: string): Promise<SlurmJob[]> {
    this.answer();
    this.settle();
    this.node(node);
    const now = this.now();
    return this.running(node).map((job) => ({
      id: job.id,
      user: job.user,
      name: job.name,
      state: 'RUNNING',
      elapsed: slurmElapsed(now - job.startedAt),
      timeLimit: 'UNLIMITED',
      ...(job.gpus > 0 ? { gres: `gres:gpu:${job.gpus}` } : {}),
    }));
  }

  async updateNode(node: string, update: NodeUpdate): Promise<void> {
    this.answer();
    this.settle();
    const sim = this.node(node);
    if (update.state === 'RESUME') {
      if (!sim.drain && !sim.down)
        throw new SlurmError('slurm_update error: Invalid node state specified', node);
      Object.assign(sim, { drain: false, down: false, reason: undefined });
      return;
    }
    this.setReason(sim, 'root', update.reason);
    if (update.state === 'DRAIN') sim.drain = true;
    else this.takeDown(sim);
  }

  /** As slurmctld lists them: the ones not over yet, ACTIVE once begun. */
  async showReservations(): Promise<Reservation[]> {
    this.answer();
    const now = this.now();
    return this.reservations
      .filter((r) => r.end > now)
      .map((r) => ({
        name: r.name,
        start: iso(r.start),
        end: iso(r.end),
        nodes: [...r.nodes],
        state: r.start <= now ? 'ACTIVE' : 'INACTIVE',
        users: r.users,
        flags: ['SPEC_NODES'],
      }));
  }

  /**
   * The nodes out of service now (drained, draining or down), as `sinfo -h -t drain,down -o %n`
   * lists them: for an observer that counts them after every change, without the cost of
   * `showNodes` building every node's status.
   */
  nodesOut(): string[] {
    this.settle();
    return [...this.nodes.values()].filter((sim) => sim.drain || sim.down).map((sim) => sim.spec.name);
  }

  // ------------------------------------------------------------ what happens to the cluster

  /** An administrator reserves nodes (`scontrol create reservation`), from `startMs` for `durationMs`. */
  reserve(
    name: string,
    reservation: { nodes: string[]; startMs: number; durationMs: number; users?: string },
  ): void {
    for (const node of reservation.nodes) this.node(node);
    if (this.reservations.some((r) => r.name === name)) {
      throw new SlurmError(`Error creating the reservation: Duplicate reservation name ${name}`);
    }
    const { nodes, startMs, durationMs, users = 'root' } = reservation;
    this.reservations.push({ name, nodes, start: startMs, end: startMs + durationMs, users });
  }

  /** `scontrol delete reservation`. */
  deleteReservation(name: string): void {
    this.reservations = this.reservations.filter((r) => r.name !== name);
  }

  /** Starts a Slurm job on the node at once; returns its id. */
  submit(node: string, job: { durationMs: number; user?: string; name?: string; gpus?: number }): string {
    this.settle();
    const sim = this.node(node);
    if (sim.drain || sim.down || sim.notResponding || this.running(node).length >= sim.spec.cpus) {
      throw new SlurmError(`sim: ${node} takes no new Slurm job now`, node);
    }
    const id = String(this.nextJobId++);
    const now = this.now();
    this.slurmJobs.push({
      id,
      node,
      user: job.user ?? 'alice',
      name: job.name ?? 'train',
      gpus: job.gpus ?? 0,
      startedAt: now,
      endsAt: now + job.durationMs,
    });
    return id;
  }

  /** Another administrator (not Pitstop) drains the node. */
  drainAs(user: string, node: string, reason: string): void {
    this.settle();
    const sim = this.node(node);
    this.setReason(sim, user, reason);
    sim.drain = true;
  }

  stopSlurmd(node: string): void {
    this.settle();
    const sim = this.node(node);
    sim.stoppedAt ??= this.now();
    sim.restartAt = undefined;
  }

  startSlurmd(node: string): void {
    this.settle();
    this.register(this.node(node), this.now());
  }

  /**
   * slurmctld stops answering for `forMs` (until `startController` when not given): every
   * command fails as SlurmCommands fails once its retries are spent.
   */
  stopController(forMs = Number.POSITIVE_INFINITY): void {
    this.controllerDownUntil = this.now() + forMs;
  }

  startController(): void {
    this.controllerDownUntil = undefined;
  }

  /** The instance reboots: slurmd stops now and registers again after `downForMs`. */
  reboot(node: string, downForMs: number): void {
    this.stopSlurmd(node);
    const sim = this.node(node);
    sim.restartAt = this.now() + downForMs;
  }

  // ------------------------------------------------------------ inside

  private answer(): void {
    if (this.controllerDownUntil !== undefined && this.now() < this.controllerDownUntil) {
      throw new SlurmUnreachableError('sim: slurmctld does not answer (Unable to contact slurm controller)');
    }
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private node(name: string): SimNode {
    const sim = this.nodes.get(name);
    if (!sim) throw new UnknownNodeError(`Node ${name} not found`, name);
    return sim;
  }

  private running(node: string): SimSlurmJob[] {
    const now = this.now();
    return this.slurmJobs.filter((job) => job.node === node && job.endsAt > now);
  }

  private setReason(sim: SimNode, user: string, text: string): void {
    if (!text.trim()) {
      throw new SlurmError(
        'You must specify a reason when DOWNING or DRAINING a node. Request denied',
        sim.spec.name,
      );
    }
    sim.reason = { text, user, at: this.now() };
  }

  /** DOWN ends the node's Slurm jobs, as Slurm kills them. */
  private takeDown(sim: SimNode, at = this.now()): void {
    sim.down = true;
    for (const job of this.slurmJobs) if (job.node === sim.spec.name && job.endsAt > at) job.endsAt = at;
  }

  private register(sim: SimNode, at: number): void {
    if (sim.restartAt !== undefined) sim.bootedAt = at;
    Object.assign(sim, {
      stoppedAt: undefined,
      restartAt: undefined,
      notResponding: false,
      slurmdStartedAt: at,
    });
    if (sim.down) {
      sim.down = false;
      if (!sim.drain) sim.reason = undefined;
    }
  }

  /** Applies what happened by itself since the last call: timeouts and reboots. */
  private settle(): void {
    const now = this.now();
    for (const sim of this.nodes.values()) {
      if (sim.stoppedAt === undefined) continue;
      const until = Math.min(now, sim.restartAt ?? now);
      // As slurmctld's pings do: not responding after SlurmdTimeout, DOWN after about twice that.
      const noticedAt = sim.stoppedAt + this.slurmdTimeoutMs;
      const downAt = noticedAt + this.slurmdTimeoutMs;
      if (noticedAt <= until) sim.notResponding = true;
      if (downAt <= until && !sim.down) {
        if (!sim.reason) sim.reason = { text: 'Not responding', user: 'slurm', at: downAt };
        this.takeDown(sim, downAt);
      }
      if (sim.restartAt !== undefined && sim.restartAt <= now) this.register(sim, sim.restartAt);
    }
  }

  private statusOf(name: string): NodeStatus {
    const sim = this.node(name);
    const busy = this.running(name).length;
    const base = sim.down ? 'DOWN' : busy === 0 ? 'IDLE' : busy >= sim.spec.cpus ? 'ALLOCATED' : 'MIXED';
    const flags = [...(sim.drain ? ['DRAIN'] : []), ...(sim.notResponding ? ['NOT_RESPONDING'] : [])];
    return NodeStatus.parse({
      name,
      ...parseNodeState([base, ...flags].join('+')),
      ...(sim.reason
        ? { reason: sim.reason.text, reasonUser: sim.reason.user, reasonTime: iso(sim.reason.at) }
        : {}),
      gpus: sim.spec.gpus,
      gpuType: sim.spec.gpuType,
      partitions: sim.spec.partitions,
      address: sim.spec.address,
      hostname: name,
      slurmdStartTime: iso(sim.slurmdStartedAt),
      bootTime: iso(sim.bootedAt),
    });
  }
}
