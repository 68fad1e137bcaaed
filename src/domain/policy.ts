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
  const { node, nodes, maxNodesOut, maxPartitionOutPercent } = question;
  const candidate = nodes.find((n) => n.name === node);
  if (!candidate) {
    return { allowed: false, reason: `${node} is not in the cluster's node list: check the node mapping` };
  }
  const working = new Set(
    question.jobsInProgress
      .filter((job) => job.node !== undefined && !NOT_WORKING.has(job.phase))
      .map((job) => job.node as string),
  );
  // Out of service because another job works it is no free pass: one job works a node at a time.
  if (working.has(node)) {
    return { allowed: false, reason: `${node} is being worked by another job: it waits until that job ends` };
  }
  const out = new Set(nodes.filter((n) => isOutOfService(n) || working.has(n.name)).map((n) => n.name));
  if (out.has(node)) {
    return { allowed: true, notes: [`${node} is already out of service: taking it does not lower capacity`] };
  }

  if (out.size + 1 > maxNodesOut) {
    return {
      allowed: false,
      reason: `${out.size} nodes are out of service cluster-wide${listed([...out])} and MAX_NODES_OUT=${maxNodesOut}: ${node} waits until one is back`,
    };
  }

  const notes: string[] = [];
  for (const partition of candidate.partitions) {
    const members = nodes.filter((n) => n.partitions.includes(partition));
    const outHere = members.filter((n) => out.has(n.name)).map((n) => n.name);
    const byPercent = Math.floor((members.length * maxPartitionOutPercent) / 100);
    // At least one: a partition too small for the percentage to allow a whole node (10% of 5
    // nodes, or a partition of one) would block every maintenance forever, and OCI then acts at
    // its hard due date on an undrained node, which costs more than one node out for a while.
    const allowance = Math.max(1, byPercent);
    if (outHere.length + 1 > allowance) {
      return {
        allowed: false,
        reason:
          `partition ${partition}: ${outHere.length} of its ${members.length} nodes are out${listed(outHere)}, ` +
          `and MAX_PARTITION_OUT_PERCENT=${maxPartitionOutPercent} allows ${allowance} at once: ${node} waits until one is back`,
      };
    }
    if (members.length === 1) {
      notes.push(`partition ${partition} has only ${node}: it has no node in service while Pitstop works`);
    } else if (byPercent < 1) {
      notes.push(
        `partition ${partition}: ${maxPartitionOutPercent}% of ${members.length} nodes is less than one node; Pitstop takes one out at a time`,
      );
    }
  }
  return { allowed: true, notes };
}

/** AUTO_APPROVE: the maintenance reasons approved without a human, or `ALL`. */
export function autoApproves(
  autoApprove: readonly string[],
  event: Pick<MaintenanceEvent, 'reason'>,
): boolean {
  return autoApprove.includes('ALL') || autoApprove.includes(event.reason);
}
