import type { MaintenanceEvent } from './event.js';
import type { MaintenanceJob, Phase } from './job.js';
import type { NodeStatus } from './node.js';
import { isOutOfService } from './node.js';

export interface CapacityLimits {
  /** MAX_NODES_OUT: nodes out of service at once, cluster-wide, for any reason. */
  maxNodesOut: number;
  /** MAX_PARTITION_OUT_PERCENT: share of each partition's nodes out of service at once. */
  maxPartitionOutPercent: number;
}

export interface CapacityQuestion extends CapacityLimits {
  /** The node Pitstop would take out. */
  node: string;
  /** Every node of the cluster, as `Cluster.listNodes()` reads them now. */
  nodes: readonly NodeStatus[];
  /**
   * The jobs Pitstop has started working on. Their nodes count as out even while Slurm still
   * shows them in service (about to drain, or back but not yet recorded). A job only waiting
   * for capacity must not be passed: two waiting jobs would hold each other back.
   */
  jobsInProgress: readonly Pick<MaintenanceJob, 'node' | 'phase'>[];
}

export type CapacityAnswer =
  | { allowed: true /** Things the thread should know, e.g. a partition taken out whole. */; notes: string[] }
  | { allowed: false; reason: string };

const NOT_WORKING: ReadonlySet<Phase> = new Set(['awaiting_approval', 'done']);

const listed = (names: readonly string[]) => (names.length > 0 ? ` (${[...names].sort().join(', ')})` : '');

/**
 * May `node` be taken out now? Counts the nodes already out of service for any reason plus
 * the nodes Pitstop is working on; `node` itself is not counted, so a node already out (drained
 * by someone else) never lowers capacity further and is always allowed on that account, unless
 * another job is working it.
 */
export function mayTakeOut(question: CapacityQuestion): CapacityAnswer {
  return new Capacity(question).mayTakeOut(question.node);
}

/**
 * The answers of `mayTakeOut` for many nodes against one read of the node list (every queued
 * job in one pass of the orchestrator): the nodes out are counted once, so each question costs
 * only its node's partitions, not the whole cluster. `take` counts a node Pitstop has just
 * started working on, for the questions after it.
 */
export class Capacity {
  private readonly nodes = new Map<string, NodeStatus>();
  private readonly working: Set<string>;
  private readonly out: Set<string>;
  private readonly members = new Map<string, number>();
  private readonly outIn = new Map<string, string[]>();
  /** `listed` of the nodes out, cluster-wide (key '') and by partition: refusals repeat them. */
  private readonly listings = new Map<string, string>();

  constructor(private readonly limits: Omit<CapacityQuestion, 'node'>) {
    for (const status of limits.nodes) this.nodes.set(status.name, status);
    this.working = new Set(
      limits.jobsInProgress
        .filter((job) => job.node !== undefined && !NOT_WORKING.has(job.phase))
        .map((job) => job.node as string),
    );
    this.out = new Set(
      limits.nodes.filter((n) => isOutOfService(n) || this.working.has(n.name)).map((n) => n.name),
    );
    for (const status of limits.nodes) {
      for (const partition of status.partitions) {
        this.members.set(partition, (this.members.get(partition) ?? 0) + 1);
        if (this.out.has(status.name))
          this.outIn.set(partition, [...(this.outIn.get(partition) ?? []), status.name]);
      }
    }
  }

  mayTakeOut(node: string): CapacityAnswer {
    const { maxNodesOut, maxPartitionOutPercent } = this.limits;
    const candidate = this.nodes.get(node);
    if (!candidate) {
      return { allowed: false, reason: `${node} is not in the cluster's node list: check the node mapping` };
    }
    // Out of service because another job works it is no free pass: one job works a node at a time.
    if (this.working.has(node)) {
      return {
        allowed: false,
        reason: `${node} is being worked by another job: it waits until that job ends`,
      };
    }
    if (this.out.has(node)) {
      return {
        allowed: true,
        notes: [`${node} is already out of service: taking it does not lower capacity`],
      };
    }

    if (this.out.size + 1 > maxNodesOut) {
      return {
        allowed: false,
        reason: `${this.out.size} nodes are out of service cluster-wide${this.listing('', [...this.out])} and MAX_NODES_OUT=${maxNodesOut}: ${node} waits until one is back`,
      };
    }

    const notes: string[] = [];
    for (const partition of candidate.partitions) {
      const members = this.members.get(partition) ?? 0;
      const outHere = this.outOf(partition);
      const byPercent = Math.floor((members * maxPartitionOutPercent) / 100);
      // At least one: a partition too small for the percentage to allow a whole node (10% of 5
      // nodes, or a partition of one) would block every maintenance forever, and OCI then acts at
      // its hard due date on an undrained node, which costs more than one node out for a while.
      const allowance = Math.max(1, byPercent);
      if (outHere.length + 1 > allowance) {
        return {
          allowed: false,
          reason:
            `partition ${partition}: ${outHere.length} of its ${members} nodes are out${this.listing(partition, outHere)}, ` +
            `and MAX_PARTITION_OUT_PERCENT=${maxPartitionOutPercent} allows ${allowance} at once: ${node} waits until one is back`,
        };
      }
      if (members === 1) {
        notes.push(`partition ${partition} has only ${node}: it has no node in service while Pitstop works`);
      } else if (byPercent < 1) {
        notes.push(
          `partition ${partition}: ${maxPartitionOutPercent}% of ${members} nodes is less than one node; Pitstop takes one out at a time`,
        );
      }
    }
    return { allowed: true, notes };
  }

  /** From now on `node` counts as worked on (and out), as if it had been in `jobsInProgress`. */
  take(node: string): void {
    this.working.add(node);
    if (this.out.has(node)) return;
    this.out.add(node);
    for (const partition of this.nodes.get(node)?.partitions ?? []) this.outOf(partition).push(node);
    this.listings.clear();
  }

  private outOf(partition: string): string[] {
    const names = this.outIn.get(partition) ?? [];
    this.outIn.set(partition, names);
    return names;
  }

  private listing(key: string, names: readonly string[]): string {
    const text = this.listings.get(key) ?? listed(names);
    this.listings.set(key, text);
    return text;
  }
}

/** AUTO_APPROVE: the maintenance reasons approved without a human, or `ALL`. */
export function autoApproves(
  autoApprove: readonly string[],
  event: Pick<MaintenanceEvent, 'reason'>,
): boolean {
  return autoApprove.includes('ALL') || autoApprove.includes(event.reason);
}
