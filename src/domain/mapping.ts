import { z } from 'zod';
import { NodeName, type NodeStatus } from './node.js';

/**
 * NODE_MAPPING's steps. `oci-hpc` (the cluster's own `mgmt nodes list`) and `name+addr` (display
 * name and NodeAddr agree) are evidence on their own. `display-name` and `node-addr` see one side
 * only: an instance elsewhere in the tenancy can match either by chance, so they are taken only
 * when listed.
 */
export const NodeMappingStep = z.enum(['oci-hpc', 'name+addr', 'display-name', 'node-addr']);
export type NodeMappingStep = z.infer<typeof NodeMappingStep>;
export const DEFAULT_NODE_MAPPING: NodeMappingStep[] = ['oci-hpc', 'name+addr'];

/** What OCI says about an instance, read only for the name and address steps. */
export interface InstanceFacts {
  displayName: string;
  privateIp?: string;
}

export interface NodeMapping {
  /** instance OCID → Slurm node, and the step whose evidence mapped it. */
  nodes: Map<string, { node: string; via: NodeMappingStep }>;
  /** instance OCID → why it maps to no node, in words for the operator. */
  unmapped: Map<string, string>;
  /** Conflicting evidence (never acted on): for the thread, the logs and `discover`. */
  problems: string[];
  /** Steps that could not run, with why (e.g. "oci-hpc: mgmt not found"). */
  unavailable: string[];
  /** The Slurm nodes as listed for the mapping (GPUs, partitions, state), when Slurm answered. */
  slurmNodes?: NodeStatus[];
}

/** One step's finding for one instance: a node, a conflict (final), or nothing (with why). */
export type Finding =
  | { kind: 'node'; node: string }
  | { kind: 'conflict'; why: string }
  | { kind: 'none'; why: string };

/**
 * oci-hpc's `mgmt` list is the cluster's own record of its instances. Its hostname must be a
 * Slurm node when Slurm answered, and must be listed for this instance only.
 */
export function ociHpcFinding(
  instanceId: string,
  mgmt: ReadonlyMap<string, string>,
  slurm: ReadonlyMap<string, string | undefined> | undefined,
): Finding {
  const hostname = mgmt.get(instanceId);
  if (!hostname) return { kind: 'none', why: "oci-hpc's mgmt list does not have it" };
  if (!NodeName.safeParse(hostname).success || (slurm && !slurm.has(hostname))) {
    return { kind: 'none', why: `oci-hpc lists it as ${hostname}, which is no Slurm node` };
  }
  const others = [...mgmt].filter(([id, host]) => host === hostname && id !== instanceId).map(([id]) => id);
  if (others.length > 0) {
    return {
      kind: 'conflict',
      why: `oci-hpc lists ${[instanceId, ...others].join(' and ')} all as ${hostname}`,
    };
  }
  return { kind: 'node', node: hostname };
}

/**
 * The name and address steps. A display name that names one node while the private IP is
 * another node's NodeAddr is a conflict whatever the step; otherwise `name+addr` needs both to
 * agree, and the one-sided steps take their side alone (`node-addr` only a NodeAddr no other
 * node shares).
 */
export function nameFinding(
  step: Exclude<NodeMappingStep, 'oci-hpc'>,
  facts: InstanceFacts,
  slurm: ReadonlyMap<string, string | undefined>,
): Finding {
  const { displayName, privateIp } = facts;
  const byName = slurm.has(displayName) ? displayName : undefined;
  const byAddr = privateIp ? [...slurm].filter(([, address]) => address === privateIp).map(([n]) => n) : [];
  const ip = privateIp ?? 'none';
  if (byName && byAddr.length > 0 && !byAddr.includes(byName)) {
    return {
      kind: 'conflict',
      why: `its display name is Slurm node ${byName} but its private IP ${ip} is the NodeAddr of ${byAddr.join(', ')}`,
    };
  }
  if (step === 'display-name' && byName) return { kind: 'node', node: byName };
  if (step === 'node-addr' && byAddr.length === 1) return { kind: 'node', node: byAddr[0]! };
  if (step === 'name+addr' && byName && byAddr.includes(byName)) return { kind: 'node', node: byName };
  return { kind: 'none', why: describeFacts(facts, byName, byAddr, slurm) };
}

function describeFacts(
  { displayName, privateIp }: InstanceFacts,
  byName: string | undefined,
  byAddr: string[],
  slurm: ReadonlyMap<string, string | undefined>,
): string {
  const ip = privateIp ? `private IP ${privateIp}` : 'no private IP';
  if (byName) {
    return `display name ${byName} is a Slurm node, but ${ip} is not its NodeAddr (${slurm.get(byName) ?? 'none'})`;
  }
  if (byAddr.length > 1) return `${ip} is the NodeAddr of several nodes (${byAddr.join(', ')})`;
  if (byAddr.length === 1)
    return `${ip} is the NodeAddr of ${byAddr[0]}, but display name "${displayName}" is not`;
  return `display name "${displayName}" is no Slurm node and ${ip} is no node's NodeAddr`;
}

/**
 * One node, one instance: every instance that claims a node another instance also claims (here,
 * or as the node of an active job in `held`: node → instance OCID) loses its mapping.
 */
export function settleClaims(mapping: NodeMapping, held: ReadonlyMap<string, string> = new Map()): void {
  const claimants = new Map<string, Set<string>>();
  for (const [instanceId, { node }] of mapping.nodes) {
    const set = claimants.get(node) ?? new Set(held.has(node) ? [held.get(node)!] : []);
    claimants.set(node, set.add(instanceId));
  }
  for (const [node, ids] of claimants) {
    if (ids.size < 2) continue;
    const how = [...ids].sort().map((id) => {
      const found = mapping.nodes.get(id);
      return found ? `${id} by ${found.via}` : `${id} by an active job`;
    });
    const why = `${how.join(' and ')} all claim Slurm node ${node}; none is mapped until only one does`;
    mapping.problems.push(why);
    for (const id of ids) {
      if (!mapping.nodes.delete(id)) continue;
      mapping.unmapped.set(id, why);
    }
  }
}
