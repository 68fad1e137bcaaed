import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../src/domain/node.js';
import { mapInstancesToNodes, parseMgmtNodes } from '../../src/oci/node-mapping.js';
import { type Harness, instance, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

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
function fakeMgmt(records: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-mgmt-'));
  const file = join(dir, 'mgmt');
  writeFileSync(
    file,
    `#!/bin/sh\n[ "$*" = "nodes list --format json --one-line" ] || { echo "bad args: $*" >&2; exit 2; }\necho '${JSON.stringify(records)}'\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

const ids = ['hpc-listed', 'gpu-named', 'Inst 3 (renamed)', 'lost'].map(instance);

describe('instance → Slurm node mapping', () => {
  it('tries oci-hpc, then the display name, then NodeAddr = primary private IP', async () => {
    harness = await startHarness(scenario);
    const mgmt = fakeMgmt([{ ocid: instance('hpc-listed'), hostname: 'compute-1', serial: 'x' }]);
    const cluster = {
      listNodes: async () => [
        node('compute-1', '10.0.0.1'),
        node('gpu-named', '10.0.0.2'),
        node('compute-3', '10.0.0.3'),
      ],
    };
    const mapping = await mapInstancesToNodes(harness.cloud.context, ids, {
      steps: ['oci-hpc', 'display-name', 'node-addr'],
      mgmtCommand: mgmt,
      cluster,
      concurrency: 2,
      timeoutMs: 5_000,
    });
    expect(Object.fromEntries(mapping.nodes)).toEqual({
      [instance('hpc-listed')]: { node: 'compute-1', via: 'oci-hpc' },
      [instance('gpu-named')]: { node: 'gpu-named', via: 'display-name' },
      [instance('Inst 3 (renamed)')]: { node: 'compute-3', via: 'node-addr' },
    });
    expect(mapping.unavailable).toEqual([]);
    expect(mapping.slurmNodes).toHaveLength(3);
  });

  it('says which steps could not run and maps with what is left', async () => {
    harness = await startHarness(scenario);
    const mapping = await mapInstancesToNodes(harness.cloud.context, ids, {
      steps: ['oci-hpc', 'display-name', 'node-addr'],
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
      'node-addr: needs the Slurm node list, which is not available',
    ]);
    // Unchecked display names are taken when valid node names; "Inst 3 (renamed)" is not one.
    expect([...mapping.nodes.values()].map((m) => m.node).sort()).toEqual([
      'gpu-named',
      'hpc-listed',
      'lost',
    ]);
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
