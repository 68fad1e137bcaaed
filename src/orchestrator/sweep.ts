import { type MaintenanceEvent, TERMINAL_EVENT_STATES } from '../domain/event.js';
import { jobIdFor, type MaintenanceJob, newJob } from '../domain/job.js';
import { autoApproves } from '../domain/policy.js';
import type { Logger } from '../log.js';
import type {
  Announcement,
  Clock,
  Cloud,
  Cluster,
  DiscoverySkip,
  NodeMapper,
  NodeMapping,
  Notifier,
  Store,
} from '../ports.js';
import { recordEventRead } from './event-reads.js';
import { tellIfHeldFor } from './held-node.js';

export interface SweepPorts {
  cloud: Cloud;
  cluster: Pick<Cluster, 'status'>;
  store: Store;
  mapper: NodeMapper;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** AUTO_APPROVE. */
  autoApprove: readonly string[];
}

export interface SweepResult {
  at: string;
  /** Events this sweep read: the scheduled ones OCI listed, and the known ones as they stand. */
  discovered: number;
  /** What OCI would not let this sweep read (not empty: the sweep was partial). */
  skipped: DiscoverySkip[];
  /** Event ids that became jobs in this sweep. */
  created: string[];
  /** Jobs approved by AUTO_APPROVE in this sweep; the orchestrator starts them. */
  approved: MaintenanceJob[];
  /** Event ids whose job was canceled because OCI canceled or finished the event without us. */
  canceled: string[];
  /** Event ids whose instance still maps to no Slurm node. */
  unmapped: string[];
}

/**
 * One discovery: OCI's events → new jobs (announced once; auto-approved when the policy says so),
 * jobs awaiting approval whose event went away without us → canceled, and jobs with no Slurm node
 * yet → mapped again. Every change is durable before it is announced. What a sweep does for a new
 * job, a later sweep finishes for a job a crash or a failed post interrupted: announcements
 * first (even when OCI then fails), the policy's approvals last. `ports.notifier` logs the posts
 * that fail (LoggedNotifier).
 */
export async function sweepOnce(ports: SweepPorts): Promise<SweepResult> {
  const { cloud, store, clock } = ports;
  for (const job of oldestFirst(store.list().filter((j) => !j.announcedAt))) await announce(ports, job);
  const readAt = clock.now().toISOString();
  const { events, skipped } = await cloud.discoverEvents({
    onProgress: (m) => ports.log.debug({ component: 'discovery' }, m),
    known: store.list().map((job) => job.event),
    finished: (eventId) => store.knowsEvent(eventId) && !store.get(jobIdFor(eventId)),
  });
  warnPartial(ports.log, skipped);
  // Together, so the store writes them in one go; only jobs that exist (new events have none yet).
  await Promise.all(events.map((event) => recordEventRead(store, event, readAt)));
  const result: SweepResult = {
    at: clock.now().toISOString(),
    discovered: events.length,
    skipped,
    created: [],
    approved: [],
    canceled: [],
    unmapped: [],
  };
  result.canceled = await cancelVanished(ports, new Map(events.map((e) => [e.id, e])));

  const fresh = events.filter((e) => e.state === 'SCHEDULED' && !store.knowsEvent(e.id));
  const awaiting = store.list().filter((job) => job.phase === 'awaiting_approval');
  const unmappedJobs = awaiting.filter((job) => !job.node);
  const instanceIds = [...new Set([...fresh, ...awaiting.map((j) => j.event)].map((e) => e.instanceId))];
  const mapping = instanceIds.length > 0 ? await mapNodes(ports, instanceIds) : undefined;
  const nodeOf = (instanceId: string) => mapping?.nodes.get(instanceId)?.node;

  for (const job of awaiting.filter((j) => j.node)) await forgetStaleNode(ports, job, mapping);

  for (const job of unmappedJobs) {
    const node = nodeOf(job.event.instanceId);
    if (!stillAwaiting(store, job)) continue;
    if (!node) {
      result.unmapped.push(job.eventId);
      const why = unmappedWhy(mapping, job.event.instanceId);
      if (job.reason !== why) await store.annotate(job.id, { reason: why });
      continue;
    }
    const mapped = await store.annotate(job.id, {
      node,
      reason: `instance ${job.event.instanceId} is Slurm node ${node} now`,
    });
    await ports.notifier.progress(mapped, mapped.reason!);
  }

  const created: MaintenanceJob[] = [];
  for (const event of fresh) {
    const node = nodeOf(event.instanceId);
    // An unmapped job keeps why in its reason: `approve` refuses it with those words.
    const unmapped = node ? {} : { reason: unmappedWhy(mapping, event.instanceId) };
    const job = await store.create({ ...newJob(event, clock.now(), node), ...unmapped });
    result.created.push(event.id);
    created.push(job);
    await announce(ports, job);
    if (!job.node) {
      result.unmapped.push(event.id);
      ports.log.warn({ jobId: job.id, eventId: job.eventId, instanceId: event.instanceId }, job.reason!);
      await ports.notifier.progress(
        job,
        `${job.reason}; it cannot be approved until it does. ` +
          'Pitstop tries again at every sweep; check NODE_MAPPING and OCI_COMPARTMENTS.',
      );
    }
  }

  if (created.length > 0) await ports.notifier.announceBatch?.(created);

  // New, newly mapped, or left awaiting by a crash before the policy approved it: all the same here.
  const undecided = store.list().filter((job) => job.phase === 'awaiting_approval' && job.node);
  for (const job of oldestFirst(undecided)) await autoApprove(ports, job, result);
  return result;
}

const oldestFirst = (jobs: MaintenanceJob[]) => jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));

/**
 * Posts the announcement and records when and where, so it is posted once. One that failed (or
 * that a crash cut off) is posted again at the next sweep; only a crash between the post and its
 * record can post it twice.
 */
async function announce(ports: SweepPorts, job: MaintenanceJob) {
  let where: Announcement;
  try {
    where = await ports.notifier.announce(job);
  } catch (error) {
    ports.log.warn(
      { jobId: job.id, eventId: job.eventId, node: job.node, err: error },
      'could not post the announcement; it is posted again at the next sweep',
    );
    return;
  }
  // A human may have decided (and so finished) the job while it was being posted.
  if (!ports.store.get(job.id)) return;
  await ports.store.annotate(job.id, { announcedAt: ports.clock.now().toISOString(), ...where });
}

/** Events in a compartment OCI would not list are unknown, not absent: said at warn every sweep it lasts. */
function warnPartial(log: Logger, skipped: DiscoverySkip[]) {
  if (skipped.length === 0) return;
  const compartments = skipped.filter((s) => s.kind === 'compartment').map((s) => s.id);
  const events = skipped.filter((s) => s.kind === 'event').map((s) => s.id);
  log.warn(
    { component: 'discovery', compartments, events, skipped },
    `partial sweep: could not read ${compartments.length} compartment(s) and ${events.length} event(s); ` +
      'maintenance there is unknown until a later sweep reads it (see /healthz "degraded"; check the IAM policy named in each error)',
  );
}

/**
 * The instances' nodes, where the evidence is unambiguous. Nodes of active jobs are held: an
 * instance claiming one of them with another instance's evidence is a conflict, not a match.
 */
async function mapNodes(ports: SweepPorts, instanceIds: string[]): Promise<NodeMapping> {
  const held = new Map(
    ports.store.list().flatMap((job) => (job.node ? [[job.node, job.event.instanceId] as const] : [])),
  );
  try {
    const mapping = await ports.mapper.map(instanceIds, held);
    for (const problem of mapping.problems)
      ports.log.warn({ component: 'discovery' }, `node mapping: ${problem}`);
    return mapping;
  } catch (error) {
    // The events are still worth a job each: their mapping is retried at the next sweep.
    const message = `node mapping failed: ${(error as Error).message}`;
    ports.log.warn({ component: 'discovery', instances: instanceIds.length }, message);
    return { nodes: new Map(), unmapped: new Map(), problems: [], unavailable: [message] };
  }
}

/**
 * Evidence can change before approval (an instance renamed, readdressed or replaced): a job whose
 * instance no longer maps to its node loses the node, so it cannot be approved onto the wrong
 * one; the next sweep maps it again on fresh evidence. A mapping that could not run (no Slurm
 * node list) says nothing.
 */
async function forgetStaleNode(ports: SweepPorts, job: MaintenanceJob, mapping: NodeMapping | undefined) {
  if (!mapping?.slurmNodes || !stillAwaiting(ports.store, job)) return;
  const node = mapping.nodes.get(job.event.instanceId)?.node;
  if (node === job.node || (!node && !mapping.unmapped.has(job.event.instanceId))) return;
  const now = node ? `it is Slurm node ${node} now` : unmappedWhy(mapping, job.event.instanceId);
  const reason = `instance ${job.event.instanceId} no longer maps to Slurm node ${job.node} (${now})`;
  const unmapped = await ports.store.annotate(job.id, { node: undefined, reason });
  ports.log.warn({ jobId: job.id, eventId: job.eventId, previousNode: job.node }, reason);
  await ports.notifier.progress(
    unmapped,
    `${reason}; it cannot be approved until it maps again at a later sweep.`,
  );
}

/** Why an instance has no node, in words for the thread and for `approve`'s refusal. */
function unmappedWhy(mapping: NodeMapping | undefined, instanceId: string): string {
  const why = [mapping?.unmapped.get(instanceId), ...(mapping?.unavailable ?? [])].filter(Boolean);
  return `instance ${instanceId} maps to no Slurm node${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

/**
 * Decisions arrive while a sweep waits on OCI: a job a human decided meanwhile is theirs, and the
 * sweep leaves it alone. (`store.apply` transitions synchronously, so nothing slips in after this.)
 */
const stillAwaiting = (store: Store, job: MaintenanceJob) => store.get(job.id)?.phase === 'awaiting_approval';

async function autoApprove(ports: SweepPorts, job: MaintenanceJob, result: SweepResult) {
  if (!autoApproves(ports.autoApprove, job.event) || !stillAwaiting(ports.store, job)) return;
  const approved = await ports.store.apply(job.id, { type: 'approve', by: 'AUTO_APPROVE', via: 'policy' });
  result.approved.push(approved);
  await ports.notifier.phaseChanged(approved, job);
}

/**
 * Jobs still awaiting approval whose event OCI canceled, or ran to its end without us. Discovery
 * read each known event that left the list; one it could not read is in `skipped`, and its job
 * is left as it is until a sweep can tell.
 */
async function cancelVanished(ports: SweepPorts, events: Map<string, MaintenanceEvent>): Promise<string[]> {
  const canceled: string[] = [];
  for (const job of ports.store.list().filter((j) => j.phase === 'awaiting_approval')) {
    const event = events.get(job.eventId);
    if (!event || !TERMINAL_EVENT_STATES.has(event.state) || !stillAwaiting(ports.store, job)) continue;
    const reason =
      event.state === 'CANCELED'
        ? `OCI canceled event ${job.eventId}; nothing was done to ${job.node ?? 'the node'}`
        : `event ${job.eventId} ended ${event.state} without Pitstop; ${job.node ?? 'the node'} was not touched`;
    const done = await ports.store.apply(job.id, { type: 'cancel', reason });
    canceled.push(job.eventId);
    await ports.notifier.phaseChanged(done, job);
    await tellIfHeldFor(done, ports);
  }
  return canceled;
}
