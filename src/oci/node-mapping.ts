import { execa } from 'execa';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { NodeStatus } from '../domain/node.js';
import { NodeName } from '../domain/node.js';
import type { Cluster, Instance } from '../ports.js';
import { mapConcurrently } from './concurrency.js';
import type { OciContext } from './context.js';
import { getInstance, primaryPrivateIp } from './instances.js';

export type MappingStep = Config['slurm']['nodeMapping'][number];

export interface NodeMappingOptions {
  steps: MappingStep[];
  /** The oci-hpc management CLI (`mgmt`), run as `mgmt nodes list --format json --one-line`. */
  mgmtCommand: string;
  /** The Slurm side; without it, names cannot be checked and node-addr cannot match. */
  cluster?: Pick<Cluster, 'listNodes'>;
  concurrency: number;
  timeoutMs: number;
}

export interface NodeMapping {
  /** instance OCID → Slurm node, and which step found it. */
  nodes: Map<string, { node: string; via: MappingStep }>;
  /** Steps that could not run, with why (e.g. "oci-hpc: mgmt not found"). */
  unavailable: string[];
  /** The Slurm nodes as listed for the mapping (GPUs, partitions, state), when Slurm answered. */
  slurmNodes?: NodeStatus[];
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
 * Maps instances to Slurm nodes by the configured chain, first hit wins: the oci-hpc
 * management CLI, the instance's display name, or the Slurm node whose NodeAddr is the
 * instance's primary private IP. When the Slurm side is there, a name must be a real node.
 */
export async function mapInstancesToNodes(
  context: OciContext,
  instanceIds: string[],
  options: NodeMappingOptions,
): Promise<NodeMapping> {
  const mapping: NodeMapping = { nodes: new Map(), unavailable: [] };
  mapping.slurmNodes = await listSlurmNodes(options, mapping);
  const slurmNodes = mapping.slurmNodes && new Map(mapping.slurmNodes.map((n) => [n.name, n.address]));
  const known = (name: string) => NodeName.safeParse(name).success && (!slurmNodes || slurmNodes.has(name));
  const instances = new Map<string, Instance>();
  const instanceOf = async (id: string) => {
    if (!instances.has(id)) instances.set(id, await getInstance(context, id));
    return instances.get(id)!;
  };
  const pending = () => instanceIds.filter((id) => !mapping.nodes.has(id));

  for (const step of options.steps) {
    if (pending().length === 0) break;
    if (step === 'oci-hpc') {
      const hpc = await readMgmtNodes(options, mapping);
      for (const id of pending()) {
        const name = hpc?.get(id);
        if (name && known(name)) mapping.nodes.set(id, { node: name, via: step });
      }
    } else if (step === 'display-name') {
      await mapConcurrently(pending(), options.concurrency, async (id) => {
        const name = (await instanceOf(id)).displayName;
        if (known(name)) mapping.nodes.set(id, { node: name, via: step });
      });
    } else {
      if (!slurmNodes) {
        mapping.unavailable.push('node-addr: needs the Slurm node list, which is not available');
        continue;
      }
      const byAddress = new Map(
        [...slurmNodes].flatMap(([name, address]) => (address ? [[address, name]] : [])),
      );
      await mapConcurrently(pending(), options.concurrency, async (id) => {
        const ip = await primaryPrivateIp(context, await instanceOf(id));
        const name = ip ? byAddress.get(ip) : undefined;
        if (name) mapping.nodes.set(id, { node: name, via: step });
      });
    }
  }
  return mapping;
}

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
