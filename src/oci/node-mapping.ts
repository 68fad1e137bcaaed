import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { execa } from 'execa';
import { z } from 'zod';
import {
  type Finding,
  type InstanceFacts,
  type NodeMapping,
  type NodeMappingStep,
  nameFinding,
  ociHpcFinding,
  settleClaims,
} from '../domain/mapping.js';
import type { NodeStatus } from '../domain/node.js';
import type { Cluster } from '../ports.js';
import { mapConcurrently } from './concurrency.js';
import type { OciContext } from './context.js';
import { getInstance, primaryPrivateIp } from './instances.js';

export interface NodeMappingOptions {
  steps: readonly NodeMappingStep[];
  /** The oci-hpc management CLI (`mgmt`), run as `mgmt nodes list --format json --one-line`. */
  mgmtCommand: string;
  /** The Slurm side; without it only oci-hpc can map, and its names go unchecked. */
  cluster?: Pick<Cluster, 'listNodes'>;
  concurrency: number;
  timeoutMs: number;
}

const MgmtNode = z.looseObject({ ocid: z.string(), hostname: z.string() });

/** `mgmt nodes list --format json` output: a JSON array (or `{nodes: [...]}`), or one object a line. */
export function parseMgmtNodes(stdout: string): Map<string, string> {
  const text = stdout.trim();
  let records: unknown[];
  try {
    const parsed: unknown = JSON.parse(text);
    records = Array.isArray(parsed) ? parsed : ((parsed as { nodes?: unknown[] }).nodes ?? [parsed]);
  } catch {
    records = text
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as unknown);
  }
  const nodes = new Map<string, string>();
  for (const record of records) {
    const node = MgmtNode.safeParse(record);
    if (node.success) nodes.set(node.data.ocid, node.data.hostname);
  }
  return nodes;
}

/**
 * Maps instances to Slurm nodes by the configured steps, in order: for each instance the first
 * step that finds a node wins, and conflicting evidence ends its search unmapped. Then no node
 * keeps two claimants (`held`: nodes of active jobs, node → instance OCID).
 */
export async function mapInstancesToNodes(
  context: OciContext,
  instanceIds: string[],
  options: NodeMappingOptions,
  held?: ReadonlyMap<string, string>,
): Promise<NodeMapping> {
  const mapping: NodeMapping = { nodes: new Map(), unmapped: new Map(), problems: [], unavailable: [] };
  mapping.slurmNodes = await listSlurmNodes(options, mapping);
  const slurm = mapping.slurmNodes && (await nodeAddresses(mapping.slurmNodes, options.concurrency));
  const mgmt = options.steps.includes('oci-hpc') ? await readMgmtNodes(options, mapping) : undefined;
  const nameSteps = options.steps.filter((s) => s !== 'oci-hpc');
  if (!slurm && nameSteps.length > 0) {
    mapping.unavailable.push(`${nameSteps.join(', ')}: need the Slurm node list, which is not available`);
  }

  await mapConcurrently(instanceIds, options.concurrency, async (id) => {
    let facts: InstanceFacts | undefined;
    const whyNot: string[] = [];
    for (const step of options.steps) {
      let finding: Finding;
      if (step === 'oci-hpc') {
        if (!mgmt) continue;
        finding = ociHpcFinding(id, mgmt, slurm);
      } else {
        if (!slurm) continue;
        facts ??= await instanceFacts(context, id);
        finding = nameFinding(step, facts, slurm);
      }
      if (finding.kind === 'node') {
        mapping.nodes.set(id, { node: finding.node, via: step });
        return;
      }
      if (finding.kind === 'conflict') {
        mapping.problems.push(`instance ${id}: ${finding.why}; not mapped`);
        mapping.unmapped.set(id, `conflicting evidence: ${finding.why}`);
        return;
      }
      if (!whyNot.includes(finding.why)) whyNot.push(finding.why);
    }
    mapping.unmapped.set(id, whyNot.join('; ') || 'no mapping step could run');
  });
  settleClaims(mapping, held);
  return mapping;
}

async function instanceFacts(context: OciContext, id: string): Promise<InstanceFacts> {
  const instance = await getInstance(context, id);
  return { displayName: instance.displayName, privateIp: await primaryPrivateIp(context, instance) };
}

/**
 * Node name → the IP Slurm reaches it at. Without a NodeAddr in slurm.conf (usual on oci-hpc
 * clusters) Slurm shows the node's name there and slurmctld resolves it; so does this, or the
 * name and address steps would never see an IP to compare. A name that does not resolve stays
 * as it is, and matches no instance.
 */
async function nodeAddresses(
  nodes: readonly NodeStatus[],
  concurrency: number,
): Promise<Map<string, string | undefined>> {
  const addresses = new Map<string, string | undefined>();
  await mapConcurrently([...nodes], concurrency, async ({ name, address }) => {
    addresses.set(name, address && isIP(address) === 0 ? await resolved(address) : address);
  });
  return addresses;
}

const resolved = (host: string) =>
  lookup(host, { family: 4 }).then(
    (found) => found.address,
    () => host,
  );

async function listSlurmNodes(
  options: NodeMappingOptions,
  mapping: NodeMapping,
): Promise<NodeStatus[] | undefined> {
  if (!options.cluster) {
    mapping.unavailable.push('slurm: no Slurm adapter wired; node names were not checked against Slurm');
    return undefined;
  }
  try {
    return await options.cluster.listNodes();
  } catch (error) {
    mapping.unavailable.push(`slurm: listing the nodes failed (${(error as Error).message})`);
    return undefined;
  }
}

async function readMgmtNodes(
  options: NodeMappingOptions,
  mapping: NodeMapping,
): Promise<Map<string, string> | undefined> {
  try {
    const { stdout } = await execa(options.mgmtCommand, ['nodes', 'list', '--format', 'json', '--one-line'], {
      timeout: options.timeoutMs,
    });
    return parseMgmtNodes(stdout);
  } catch (error) {
    const code = (error as { code?: string }).code;
    mapping.unavailable.push(
      code === 'ENOENT'
        ? `oci-hpc: ${options.mgmtCommand} not found (not an oci-hpc controller?)`
        : `oci-hpc: ${options.mgmtCommand} nodes list failed (${(error as Error).message.split('\n')[0]})`,
    );
    return undefined;
  }
}
