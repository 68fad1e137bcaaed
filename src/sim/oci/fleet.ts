import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { invalid, notFound, OciApiError } from './errors.js';
import { ocid, type Random } from './random.js';
import {
  DEMO_LIFECYCLE,
  type Lifecycle,
  resolveTime,
  type Scenario,
  type ScenarioCompartment,
  type ScenarioEvent,
  type ScenarioInstance,
} from './scenario.js';

type Compartment = z.infer<typeof ScenarioCompartment>;
type Instance = z.infer<typeof ScenarioInstance>;
type EventState = z.infer<typeof ScenarioEvent>['lifecycleState'];

export interface SimEvent extends Omit<z.infer<typeof ScenarioEvent>, 'lifecycleState'> {
  compartmentId: string;
  lifecycleState: EventState;
  timeCreated: string;
  timeStarted?: string;
  timeFinished?: string;
  lifecycleDetails?: string;
  /** Bumped by every change; the etag is derived from it. */
  version: number;
}

export interface SimWorkRequest {
  id: string;
  eventId: string;
  compartmentId: string;
  accepted: Date;
  outcome: 'SUCCEEDED' | 'FAILED';
  errors: { code: string; message: string }[];
}

export interface SimCommand {
  id: string;
  compartmentId: string;
  instanceId: string;
  displayName?: string;
  script: string;
  timeoutSeconds: number;
  created: Date;
  exitCode: number;
  output: string;
}

/** Hooks see the instance and the Slurm node it is, so a test can stop and restart its slurmd. */
export interface MaintenanceTransition {
  phase: 'start' | 'end';
  event: SimEvent;
  instance: Instance;
  node: string;
}

export interface UpdateEventDetails {
  timeWindowStart?: string;
  freeformTags?: Record<string, string>;
  displayName?: string;
}

/** Answers a Run Command script: the simulator has no hosts, so tests and demos say what runs. */
export type CommandRunner = (instance: Instance, script: string) => { exitCode: number; output: string };

const TEXT_SCRIPT_LIMIT = 4096;
const TEXT_OUTPUT_KEPT = 1024;

/**
 * The simulated tenancy and its clock-driven lifecycle. Events whose window has come move
 * SCHEDULED → STARTED → PROCESSING → their scenario outcome; work requests and Run Command
 * executions move by their own durations. Time is whatever `now` the caller passes.
 */
export class Fleet {
  readonly tenancy: Scenario['tenancy'];
  readonly region: string;
  readonly lifecycle: Lifecycle;
  private readonly compartments = new Map<string, Compartment>();
  private readonly instances = new Map<string, Instance>();
  private readonly events = new Map<string, SimEvent>();
  private readonly workRequests = new Map<string, SimWorkRequest>();
  private readonly commands = new Map<string, SimCommand>();
  /** Compartments the simulated user has no policy for: lists there answer 404. */
  private readonly denied = new Set<string>();
  /** Instances terminated and still TERMINATING: when each was terminated (ms). */
  private readonly terminating = new Map<string, number>();
  /** When the next event is due to change state; an update makes it due at once. */
  private nextChangeAt = Number.NEGATIVE_INFINITY;

  constructor(
    scenario: Scenario,
    private readonly random: Random,
    created: Date,
    private readonly onTransition: (transition: MaintenanceTransition) => void = () => {},
    private readonly runCommand: CommandRunner = () => ({ exitCode: 0, output: '' }),
  ) {
    this.tenancy = scenario.tenancy;
    this.region = scenario.region;
    this.lifecycle = { ...DEMO_LIFECYCLE, ...scenario.lifecycle };
    for (const c of scenario.compartments) this.compartments.set(c.id, c);
    // Copies: a termination changes an instance's state, never the scenario it came from.
    for (const i of scenario.instances) this.instances.set(i.id, { ...i });
    for (const e of scenario.events) {
      const instance = this.instances.get(e.instanceId)!;
      this.events.set(e.id, {
        ...e,
        timeWindowStart: resolveTime(e.timeWindowStart, created),
        timeHardDueDate:
          e.timeHardDueDate === undefined ? undefined : resolveTime(e.timeHardDueDate, created),
        compartmentId: instance.compartmentId,
        timeCreated: new Date(created.getTime() - 86_400_000).toISOString(),
        version: 1,
      });
    }
  }

  deny(compartmentId: string): void {
    this.denied.add(compartmentId);
  }

  /** The policy is back (a partial sweep heals). */
  allow(compartmentId: string): void {
    this.denied.delete(compartmentId);
  }

  // ------------------------------------------------------------------ reads

  compartmentsUnder(parentId: string, subtree: boolean): Compartment[] {
    this.assertReadable(parentId);
    const all = [...this.compartments.values()];
    const parentOf = (c: Compartment) => c.parentId ?? this.tenancy.id;
    if (!subtree) return all.filter((c) => parentOf(c) === parentId);
    const inside = new Set([parentId]);
    // Compartments are listed parents first (generated or written so), but do not rely on it.
    for (let grew = true; grew; ) {
      grew = false;
      for (const c of all) {
        if (!inside.has(c.id) && inside.has(parentOf(c))) {
          inside.add(c.id);
          grew = true;
        }
      }
    }
    return all.filter((c) => c.id !== parentId && inside.has(c.id));
  }

  eventsIn(compartmentId: string): SimEvent[] {
    this.assertReadable(compartmentId);
    return [...this.events.values()].filter((e) => e.compartmentId === compartmentId);
  }

  event(id: string): SimEvent {
    const event = this.events.get(id);
    if (!event || this.denied.has(event.compartmentId)) throw notFound(`instance maintenance event ${id}`);
    return event;
  }

  instance(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance || this.denied.has(instance.compartmentId)) throw notFound(`instance ${id}`);
    return instance;
  }

  /** The instance `matches` picks (e.g. by its VNIC's id), or 404 naming `what`. */
  instanceWhere(matches: (instance: Instance) => boolean, what: string): Instance {
    const instance = [...this.instances.values()].find(matches);
    if (!instance || this.denied.has(instance.compartmentId)) throw notFound(what);
    return instance;
  }

  instancesIn(compartmentId: string, instanceId?: string): Instance[] {
    this.assertReadable(compartmentId);
    return [...this.instances.values()].filter(
      (i) => i.compartmentId === compartmentId && (!instanceId || i.id === instanceId),
    );
  }

  workRequest(id: string): SimWorkRequest {
    const request = this.workRequests.get(id);
    if (!request) throw notFound(`work request ${id}`);
    return request;
  }

  command(id: string): SimCommand {
    const command = this.commands.get(id);
    if (!command) throw notFound(`instance agent command ${id}`);
    return command;
  }

  etagOf(event: SimEvent): string {
    return createHash('sha256').update(`${event.id}#${event.version}`).digest('hex').slice(0, 32);
  }

  // ------------------------------------------------------------------ writes

  updateEvent(
    id: string,
    details: UpdateEventDetails,
    ifMatch: string | undefined,
    now: Date,
  ): SimWorkRequest {
    const event = this.event(id);
    if (ifMatch !== undefined && ifMatch !== this.etagOf(event)) {
      throw new OciApiError(412, 'NoEtagMatch', 'The resource has changed since the etag was read.');
    }
    if (details.timeWindowStart !== undefined) {
      // Tags can still be set afterwards (bookkeeping marks finished events); the window cannot.
      if (event.lifecycleState !== 'SCHEDULED') {
        throw new OciApiError(
          409,
          'IncorrectState',
          `The maintenance event is ${event.lifecycleState}; only a SCHEDULED event can be rescheduled.`,
        );
      }
      this.checkNewWindow(event, new Date(details.timeWindowStart), now);
      event.timeWindowStart = new Date(details.timeWindowStart).toISOString();
    }
    // Like OCI, an update replaces the freeform tags wholesale; merging is the caller's job.
    if (details.freeformTags !== undefined) event.freeformTags = details.freeformTags;
    event.version++;
    this.nextChangeAt = Number.NEGATIVE_INFINITY;
    const request: SimWorkRequest = {
      id: ocid(this.random, 'coreservicesworkrequest', 'iad'),
      eventId: event.id,
      compartmentId: event.compartmentId,
      accepted: now,
      outcome: event.workRequestOutcome,
      errors: event.workRequestErrors,
    };
    this.workRequests.set(request.id, request);
    return request;
  }

  createCommand(
    details: {
      compartmentId: string;
      instanceId: string;
      script: string;
      timeoutSeconds: number;
      displayName?: string;
    },
    now: Date,
  ): SimCommand {
    const instance = this.instance(details.instanceId);
    if (Buffer.byteLength(details.script) > TEXT_SCRIPT_LIMIT) {
      throw invalid(`An inline command script is limited to ${TEXT_SCRIPT_LIMIT} bytes.`);
    }
    const result = this.runCommand(instance, details.script);
    const bytes = Buffer.from(result.output);
    const command: SimCommand = {
      ...details,
      id: ocid(this.random, 'instanceagentcommand', 'iad'),
      created: now,
      exitCode: result.exitCode,
      output: bytes.subarray(Math.max(0, bytes.length - TEXT_OUTPUT_KEPT)).toString(),
    };
    this.commands.set(command.id, command);
    return command;
  }

  /**
   * TerminateInstance: the instance goes TERMINATING, then TERMINATED after
   * `lifecycle.instanceTerminating`. Terminating one that is already on its way is harmless, as
   * at OCI. A member of an instance pool is refused with 409 Conflict: the pool owns it.
   */
  terminateInstance(id: string, now: Date): void {
    const instance = this.instance(id);
    if (instance.lifecycleState === 'TERMINATING' || instance.lifecycleState === 'TERMINATED') return;
    if (instance.instancePoolId) {
      throw new OciApiError(
        409,
        'Conflict',
        `Instance ${id} belongs to instance pool ${instance.instancePoolId} and cannot be terminated directly; detach it from the instance pool first.`,
      );
    }
    instance.lifecycleState = 'TERMINATING';
    this.terminating.set(id, now.getTime());
  }

  // ------------------------------------------------------- OCI acting on its own

  /** OCI moves the window itself (e.g. it starts the maintenance early, at `start`). */
  moveWindow(id: string, start: Date): void {
    const event = this.event(id);
    event.timeWindowStart = start.toISOString();
    this.changed(event);
  }

  /** OCI cancels the event; a maintenance under way stops (its instance comes back). */
  cancel(id: string, now: Date): void {
    const event = this.event(id);
    const wasUnderway = event.lifecycleState === 'STARTED' || event.lifecycleState === 'PROCESSING';
    event.lifecycleState = 'CANCELED';
    event.timeFinished = now.toISOString();
    event.lifecycleDetails = 'The maintenance was canceled by OCI.';
    this.changed(event);
    if (wasUnderway) this.fire('end', event);
  }

  /** How the maintenance will end (or ends, if under way): e.g. FAILED. */
  setOutcome(id: string, outcome: SimEvent['outcome']): void {
    const event = this.event(id);
    event.outcome = outcome;
    this.changed(event);
  }

  private changed(event: SimEvent): void {
    event.version++;
    this.nextChangeAt = Number.NEGATIVE_INFINITY;
  }

  /** Moves every event whose window has come along its lifecycle; fires the hooks in order. */
  advance(now: Date): void {
    for (const [id, since] of this.terminating) {
      if (now.getTime() - since < this.lifecycle.instanceTerminating) continue;
      this.instances.get(id)!.lifecycleState = 'TERMINATED';
      this.terminating.delete(id);
    }
    // Called on every request and tick: skip the walk until some event is due to move.
    if (now.getTime() < this.nextChangeAt) return;
    const { eventStarted, eventProcessing } = this.lifecycle;
    let next = Number.POSITIVE_INFINITY;
    for (const event of this.events.values()) {
      if (['SUCCEEDED', 'FAILED', 'CANCELED'].includes(event.lifecycleState)) continue;
      const windowStart = new Date(event.timeWindowStart).getTime();
      const elapsed = now.getTime() - windowStart;
      const stageEnds = [0, eventStarted, eventStarted + eventProcessing].map(
        (offset) => windowStart + offset,
      );
      next = Math.min(next, stageEnds.find((end) => end > now.getTime()) ?? next);
      if (elapsed < 0) continue;
      const target: EventState =
        elapsed < eventStarted
          ? 'STARTED'
          : elapsed < eventStarted + eventProcessing
            ? 'PROCESSING'
            : event.outcome;
      if (target === event.lifecycleState) continue;
      const wasScheduled = event.lifecycleState === 'SCHEDULED';
      event.lifecycleState = target;
      event.version++;
      if (wasScheduled) {
        event.timeStarted = new Date(windowStart).toISOString();
        this.fire('start', event);
      }
      if (target === event.outcome) {
        event.timeFinished = new Date(windowStart + eventStarted + eventProcessing).toISOString();
        if (target !== 'SUCCEEDED') event.lifecycleDetails = `The maintenance ended ${target}.`;
        this.fire('end', event);
      }
    }
    this.nextChangeAt = next;
  }

  private fire(phase: 'start' | 'end', event: SimEvent): void {
    const instance = this.instances.get(event.instanceId)!;
    // A snapshot: hooks run later, one at a time, and a clock jump may have moved the event on.
    const snapshot = {
      ...event,
      lifecycleState: phase === 'start' ? ('STARTED' as const) : event.lifecycleState,
    };
    this.onTransition({ phase, event: snapshot, instance, node: instance.node ?? instance.displayName });
  }

  private checkNewWindow(event: SimEvent, start: Date, now: Date): void {
    if (Number.isNaN(start.getTime())) throw invalid('timeWindowStart is not a date.');
    if (!event.canReschedule) {
      throw invalid('This maintenance event cannot be rescheduled (canReschedule is false).');
    }
    if (start.getTime() < now.getTime() - 60_000) throw invalid('timeWindowStart must not be in the past.');
    if (event.timeHardDueDate && start > new Date(event.timeHardDueDate)) {
      throw invalid(`timeWindowStart must be before the hard due date ${event.timeHardDueDate}.`);
    }
  }

  /** 404 NotAuthorizedOrNotFound for a compartment that is unknown or denied, as OCI answers. */
  assertReadable(compartmentId: string): void {
    const known = compartmentId === this.tenancy.id || this.compartments.has(compartmentId);
    if (!known || this.denied.has(compartmentId)) throw notFound(`compartment ${compartmentId}`);
  }
}

/** Where a timed thing stands `now`: ACCEPTED, then IN_PROGRESS, then its outcome. */
export function stageAt(
  start: Date,
  now: Date,
  acceptedMs: number,
  runningMs: number,
): { stage: 'ACCEPTED' | 'IN_PROGRESS' | 'DONE'; started?: Date; finished?: Date } {
  const elapsed = now.getTime() - start.getTime();
  const started = new Date(start.getTime() + acceptedMs);
  const finished = new Date(started.getTime() + runningMs);
  if (elapsed < acceptedMs) return { stage: 'ACCEPTED' };
  if (elapsed < acceptedMs + runningMs) return { stage: 'IN_PROGRESS', started };
  return { stage: 'DONE', started, finished };
}
