import type { ScenarioInput } from '../../src/sim/oci/scenario.js';
import type { SimNodeSpec } from '../../src/sim/slurm/index.js';

/**
 * The benchmark's cluster: 1,000 GPU nodes in three partitions of unequal size, one OCI
 * instance per node (same name, private IP = NodeAddr, as on oci-hpc) and one maintenance
 * event on each. Some nodes run a Slurm job when the events are approved (their drain waits
 * for it), a few are held out by an operator, and a few come back with failing GPUs.
 */

export const NODE_COUNT = 1_000;
const PARTITIONS = [
  { name: 'train', size: 600 },
  { name: 'infer', size: 300 },
  { name: 'dev', size: 100 },
] as const;

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaapitstopbench';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaapitstopbenchhpc';
/** The shape whose figures the demo's healthy GPU outputs show. */
const SHAPE = 'BM.GPU.A100-v2.8';

const name = (i: number) => `gpu-${String(i + 1).padStart(4, '0')}`;
const address = (i: number) => `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const partitionOf = (i: number) => {
  let first = 0;
  for (const partition of PARTITIONS) {
    if (i < first + partition.size) return partition.name;
    first += partition.size;
  }
  throw new Error(`bench: node ${i} is past the partitions`);
};

export const NODES = Array.from({ length: NODE_COUNT }, (_, i) => name(i));

export const SLURM_NODES: SimNodeSpec[] = NODES.map((node, i) => ({
  name: node,
  address: address(i),
  partitions: [partitionOf(i)],
  gpus: 8,
  gpuType: 'a100',
}));

/** Every fifth node runs a Slurm job, ending within `longestMs`: its drain waits for it. */
export const busyNodes = (longestMs: number) =>
  NODES.flatMap((node, i) =>
    i % 5 === 2
      ? [{ node, user: 'mlteam', name: `train-${i}`, gpus: 8, durationMs: (longestMs * (i % 7)) / 6 }]
      : [],
  );

/** In the big partition only: each stays out for good and takes a share of its capacity. */
export const HAND_DRAINED = ['gpu-0011', 'gpu-0211', 'gpu-0411'];
export const FAILING = NODES.filter((_, i) => i < 600 && i % 97 === 50);

const instanceId = (i: number) => `ocid1.instance.oc1.iad.aaaaaaaabench${String(i).padStart(5, '0')}`;
export const eventId = (i: number) =>
  `ocid1.instancemaintenanceevent.oc1.iad.aaaaaaaabench${String(i).padStart(5, '0')}`;

export function benchScenario(now: Date): ScenarioInput {
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  return {
    tenancy: { id: TENANCY, name: 'bench-tenancy' },
    compartments: [{ id: COMPARTMENT, name: 'hpc' }],
    instances: NODES.map((node, i) => ({
      id: instanceId(i),
      compartmentId: COMPARTMENT,
      displayName: node,
      shape: SHAPE,
      privateIp: address(i),
    })),
    events: NODES.map((_, i) => ({
      id: eventId(i),
      instanceId: instanceId(i),
      maintenanceReason: 'HARDWARE_REPLACEMENT',
      timeWindowStart: inDays(3),
      timeHardDueDate: inDays(14),
      description: 'A hardware fault was detected on this host.',
      faults: [
        { faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA NIC link flaps', impactedComponent: 'RDMA NIC' },
      ],
    })),
  };
}
