import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_NODE_MAPPING, type NodeMappingStep } from '../../src/domain/mapping.js';
import type { NodeStatus } from '../../src/domain/node.js';
import { mapInstancesToNodes, parseMgmtNodes } from '../../src/oci/node-mapping.js';
import { standInCommand } from '../support/stand-in-command.js';
import { compartment, type Harness, instance, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

const scenario = {
  tenancy: { id: TENANCY },
  instances: [
    instanceIn('hpc-listed', TENANCY, '10.0.0.1'),
    instanceIn('gpu-named', TENANCY, '10.0.0.2'),
    instanceIn('Inst 3 (renamed)', TENANCY, '10.0.0.3'),
    instanceIn('lost', TENANCY, '10.0.0.4'),
  ],
};

const node = (name: string, address: string): NodeStatus => ({
  name,
  address,
  state: 'IDLE',
  flags: [],
  drain: 'none',
  responding: true,
  gpus: 8,
  partitions: ['gpu'],
});

/** A stand-in for the oci-hpc `mgmt` CLI that checks its arguments and prints its JSON. */
const fakeMgmt = (records: unknown) =>
  join(standInCommand('mgmt', 'nodes list --format json --one-line', JSON.stringify(records)), 'mgmt');

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

const ids = ['hpc-listed', 'gpu-named', 'Inst 3 (renamed)', 'lost'].map(instance);

/** Our cluster: three nodes, NodeAddr = their instances' private IPs. */
const OUR_NODES = [
  node('compute-1', '10.0.0.1'),
  node('gpu-named', '10.0.0.2'),
  node('compute-3', '10.0.0.3'),
];
const ourCluster = { listNodes: async () => OUR_NODES };
const OTHER = compartment('someoneelse');

/** Maps `names` (instance names of the scenario) with our cluster, no oci-hpc unless `mgmt` is given. */
function mapNames(
  names: string[],
  steps: readonly NodeMappingStep[],
  extra: { mgmt?: string; held?: Map<string, string> } = {},
) {
  return mapInstancesToNodes(
    harness!.cloud.context,
    names.map(instance),
    {
      steps,
      mgmtCommand: extra.mgmt ?? '/nonexistent/mgmt',
      cluster: ourCluster,
      concurrency: 2,
      timeoutMs: 5_000,
    },
    extra.held,
  );
}

describe('instance → Slurm node mapping', () => {
  it('maps by oci-hpc, then by display name and NodeAddr agreeing; one-sided steps only when listed', async () => {
    harness = await startHarness(scenario);
    const mgmt = fakeMgmt([{ ocid: instance('hpc-listed'), hostname: 'compute-1', serial: 'x' }]);
    const byDefault = await mapNames(
      ['hpc-listed', 'gpu-named', 'Inst 3 (renamed)', 'lost'],
      DEFAULT_NODE_MAPPING,
      {
        mgmt,
      },
    );
    expect(Object.fromEntries(byDefault.nodes)).toEqual({
      [instance('hpc-listed')]: { node: 'compute-1', via: 'oci-hpc' },
      [instance('gpu-named')]: { node: 'gpu-named', via: 'name+addr' },
    });
    expect(byDefault.unmapped.get(instance('Inst 3 (renamed)'))).toMatch(
      /private IP 10\.0\.0\.3 is the NodeAddr of compute-3, but display name "Inst 3 \(renamed\)" is not/,
    );
    expect(byDefault.unavailable).toEqual([]);
    expect(byDefault.problems).toEqual([]);
    expect(byDefault.slurmNodes).toHaveLength(3);

    const withAddr = await mapNames(['Inst 3 (renamed)'], ['oci-hpc', 'name+addr', 'node-addr'], { mgmt });
    expect(withAddr.nodes.get(instance('Inst 3 (renamed)'))).toEqual({ node: 'compute-3', via: 'node-addr' });
  });

  it('does not map an instance elsewhere whose display name is our node but whose IP is not', async () => {
    harness = await startHarness({
      ...scenario,
      compartments: [{ id: OTHER, name: 'other' }],
      instances: [instanceIn('compute-1', OTHER, '10.7.0.1')],
    });
    const mapping = await mapNames(['compute-1'], DEFAULT_NODE_MAPPING);
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.unmapped.get(instance('compute-1'))).toMatch(
      /display name compute-1 is a Slurm node, but private IP 10\.7\.0\.1 is not its NodeAddr \(10\.0\.0\.1\)/,
    );
  });

  it('resolves a NodeAddr that is a host name (no NodeAddr in slurm.conf) as slurmctld does, and compares its IP', async () => {
    harness = await startHarness({
      tenancy: { id: TENANCY },
      instances: [instanceIn('gpu-local', TENANCY, '127.0.0.1'), instanceIn('gpu-lost', TENANCY, '10.0.0.9')],
    });
    const cluster = {
      listNodes: async () => [node('gpu-local', 'localhost'), node('gpu-lost', 'no-such-host.invalid')],
    };
    const mapping = await mapInstancesToNodes(
      harness.cloud.context,
      ['gpu-local', 'gpu-lost'].map(instance),
      {
        steps: DEFAULT_NODE_MAPPING,
        mgmtCommand: '/nonexistent/mgmt',
        cluster,
        concurrency: 2,
        timeoutMs: 5_000,
      },
    );
    expect(mapping.nodes.get(instance('gpu-local'))).toEqual({ node: 'gpu-local', via: 'name+addr' });
    expect(mapping.unmapped.get(instance('gpu-lost'))).toMatch(
      /display name gpu-lost is a Slurm node, but private IP 10\.0\.0\.9 is not its NodeAddr \(no-such-host\.invalid\)/,
    );
  });

  it('does not map an instance elsewhere whose IP is our NodeAddr but whose display name is not', async () => {
    harness = await startHarness({
      ...scenario,
      compartments: [{ id: OTHER, name: 'other' }],
      instances: [instanceIn('their-box', OTHER, '10.0.0.1')],
    });
    const mapping = await mapNames(['their-box'], DEFAULT_NODE_MAPPING);
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.unmapped.get(instance('their-box'))).toMatch(
      /10\.0\.0\.1 is the NodeAddr of compute-1, but display name "their-box" is not/,
    );
  });

  it('accepts one-sided evidence where NODE_MAPPING lists the step explicitly', async () => {
    harness = await startHarness({ ...scenario, instances: [instanceIn('compute-1', TENANCY, '10.7.0.1')] });
    expect((await mapNames(['compute-1'], DEFAULT_NODE_MAPPING)).nodes.size).toBe(0);
    const mapping = await mapNames(['compute-1'], ['name+addr', 'display-name']);
    expect(Object.fromEntries(mapping.nodes)).toEqual({
      [instance('compute-1')]: { node: 'compute-1', via: 'display-name' },
    });
  });

  it('maps neither of two instances that claim one node, and reports both', async () => {
    // Ours, and a copy of it in another compartment's VCN: same name, same private IP.
    const twin = { ...instanceIn('compute-1', OTHER, '10.0.0.1'), id: instance('twin') };
    harness = await startHarness({
      ...scenario,
      compartments: [{ id: OTHER, name: 'other' }],
      instances: [instanceIn('compute-1', TENANCY, '10.0.0.1'), twin],
    });
    const mapping = await mapNames(['compute-1', 'twin'], DEFAULT_NODE_MAPPING);
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.problems).toEqual([
      `${instance('compute-1')} by name+addr and ${instance('twin')} by name+addr all claim Slurm node compute-1; none is mapped until only one does`,
    ]);
    expect(mapping.unmapped.get(instance('twin'))).toBe(mapping.problems[0]);

    // Also when oci-hpc vouches for one of them, and when the other is the node of an active job.
    const mgmt = fakeMgmt([{ ocid: instance('compute-1'), hostname: 'compute-1' }]);
    const mixed = await mapNames(['compute-1', 'twin'], DEFAULT_NODE_MAPPING, { mgmt });
    expect(mixed.nodes.size).toBe(0);
    expect(mixed.problems[0]).toMatch(
      /compute-1 by oci-hpc and .*twin by name\+addr all claim Slurm node compute-1/,
    );
    const held = await mapNames(['twin'], DEFAULT_NODE_MAPPING, {
      held: new Map([['compute-1', instance('compute-1')]]),
    });
    expect(held.nodes.size).toBe(0);
    expect(held.problems[0]).toMatch(
      /compute-1 by an active job and .*twin by name\+addr all claim Slurm node compute-1/,
    );
  });

  it('maps neither of two instances that oci-hpc lists as one node', async () => {
    harness = await startHarness(scenario);
    const mgmt = fakeMgmt([
      { ocid: instance('hpc-listed'), hostname: 'compute-1' },
      { ocid: instance('stale-entry'), hostname: 'compute-1' },
    ]);
    const mapping = await mapNames(['hpc-listed'], ['oci-hpc'], { mgmt });
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.problems).toEqual([
      `instance ${instance('hpc-listed')}: oci-hpc lists ${instance('hpc-listed')} and ${instance('stale-entry')} all as compute-1; not mapped`,
    ]);
  });

  it('does not map an instance whose display name is one node and whose IP is another', async () => {
    harness = await startHarness({ ...scenario, instances: [instanceIn('compute-1', TENANCY, '10.0.0.3')] });
    // Even with both one-sided steps listed: conflicting evidence ends the search.
    const mapping = await mapNames(['compute-1'], ['name+addr', 'node-addr', 'display-name']);
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.problems).toEqual([
      `instance ${instance('compute-1')}: its display name is Slurm node compute-1 but its private IP 10.0.0.3 is the NodeAddr of compute-3; not mapped`,
    ]);
  });

  it('maps nothing by name or address while Slurm cannot list its nodes, and says which steps could not run', async () => {
    harness = await startHarness(scenario);
    const mapping = await mapInstancesToNodes(harness.cloud.context, ids, {
      steps: ['oci-hpc', 'name+addr', 'display-name', 'node-addr'],
      mgmtCommand: '/nonexistent/mgmt',
      cluster: {
        listNodes: async () => {
          throw new Error('slurmctld is down');
        },
      },
      concurrency: 2,
      timeoutMs: 5_000,
    });
    expect(mapping.unavailable).toEqual([
      'slurm: listing the nodes failed (slurmctld is down)',
      'oci-hpc: /nonexistent/mgmt not found (not an oci-hpc controller?)',
      'name+addr, display-name, node-addr: need the Slurm node list, which is not available',
    ]);
    expect(mapping.nodes.size).toBe(0);
    expect(mapping.unmapped.size).toBe(4);
  });

  it('does not take a display name that is not a Slurm node', async () => {
    harness = await startHarness(scenario);
    const mapping = await mapInstancesToNodes(harness.cloud.context, [instance('lost')], {
      steps: ['display-name'],
      mgmtCommand: 'mgmt',
      cluster: { listNodes: async () => [node('compute-9', '10.9.9.9')] },
      concurrency: 1,
      timeoutMs: 5_000,
    });
    expect(mapping.nodes.size).toBe(0);
  });

  it('reads mgmt output as a JSON array, an object with nodes, or one object a line', () => {
    const record = { ocid: 'ocid1.instance.oc1.iad.a', hostname: 'compute-1' };
    const expected = new Map([['ocid1.instance.oc1.iad.a', 'compute-1']]);
    expect(parseMgmtNodes(JSON.stringify([record]))).toEqual(expected);
    expect(parseMgmtNodes(JSON.stringify({ nodes: [record] }))).toEqual(expected);
    expect(parseMgmtNodes(`${JSON.stringify(record)}\n${JSON.stringify({ hostname: 'no-ocid' })}\n`)).toEqual(
      expected,
    );
  });
});
