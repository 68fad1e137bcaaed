import { ocid, Random } from './random.js';
import { checkReferences, Scenario, type ScenarioInput } from './scenario.js';

export interface FleetSize {
  compartments: number;
  instances: number;
  events: number;
  /** The last this many instances are members of one instance pool (none when absent). */
  pooled?: number;
}

/** Parses `compartments=C,instances=I,events=E[,pooled=P]` (every part optional, defaulting to 0). */
export function parseFleetSize(spec: string): FleetSize {
  const size: FleetSize = { compartments: 0, instances: 0, events: 0 };
  for (const part of spec.split(',').filter(Boolean)) {
    const match = /^\s*(compartments|instances|events|pooled)=(\d+)\s*$/.exec(part);
    if (!match)
      throw new Error(`--generate: "${part}" is not compartments=N, instances=N, events=N or pooled=N`);
    size[match[1] as keyof FleetSize] = Number(match[2]);
  }
  if (size.events > size.instances) {
    throw new Error(
      `--generate: ${size.events} events need at least as many instances (got ${size.instances})`,
    );
  }
  if ((size.pooled ?? 0) > size.instances) {
    throw new Error(
      `--generate: ${size.pooled} pooled instances need as many instances (got ${size.instances})`,
    );
  }
  return size;
}

const GPU_SHAPES = ['BM.GPU.H100.8', 'BM.GPU.H200.8', 'BM.GPU.A100-v2.8', 'BM.GPU4.8', 'BM.GPU.B4.8'];

/** Fault ids and wording seen on OCI HPC GPU maintenance notifications. */
const FAULTS = [
  { faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA NIC link flaps', impactedComponent: 'RDMA NIC' },
  { faultId: 'HPCGPU-0001-01', faultSummary: 'GPU fell off the bus', impactedComponent: 'GPU' },
  { faultId: 'HPCGPU-0004-03', faultSummary: 'GPU row remap failure', impactedComponent: 'GPU memory' },
  { faultId: 'HPCNVSW-0003-01', faultSummary: 'NVSwitch fatal error', impactedComponent: 'NVSwitch' },
  { faultId: 'HPCPSU-0001-02', faultSummary: 'Power supply degraded', impactedComponent: 'PSU' },
];

const DAY = 86_400_000;

/**
 * A fleet shaped like a real HPC tenancy: compartments nested several levels deep (the first
 * three form a chain, so depth >= 3 whenever there are three), GPU instances spread over them
 * and the tenancy, and events on distinct instances, most with fault details.
 */
export function generateScenario(size: FleetSize, seed: number | string, now: Date): Scenario {
  const random = new Random(seed);
  const tenancy = { id: ocid(random, 'tenancy'), name: 'hpc-tenancy' };
  const compartments: NonNullable<ScenarioInput['compartments']> = [];
  for (let i = 0; i < size.compartments; i++) {
    const parent = i < 3 ? compartments[i - 1] : random.chance(0.3) ? undefined : random.pick(compartments);
    compartments.push({ id: ocid(random, 'compartment'), name: `hpc-${i + 1}`, parentId: parent?.id });
  }
  const homes = [tenancy.id, ...compartments.map((c) => c.id)];
  // Drawn only when asked for, so a seed's fleet without a pool stays what it always was.
  const pooled = size.pooled ?? 0;
  const pool = pooled > 0 ? ocid(random, 'instancepool', 'iad') : undefined;
  const instances = Array.from({ length: size.instances }, (_, i) => ({
    id: ocid(random, 'instance', 'iad'),
    compartmentId: random.pick(homes),
    displayName: `gpu-${String(i + 1).padStart(4, '0')}`,
    shape: random.pick(GPU_SHAPES),
    privateIp: `10.${Math.floor(i / 65_536) % 256}.${Math.floor(i / 256) % 256}.${(i % 256) + 1}`,
    ...(pool && i >= size.instances - pooled ? { instancePoolId: pool } : {}),
  }));
  const events = instances.slice(0, size.events).map((instance) => {
    const hardware = random.chance(0.8);
    const windowStart = new Date(now.getTime() + random.int(1, 14) * DAY + random.int(0, 23) * 3_600_000);
    return {
      id: ocid(random, 'instancemaintenanceevent', 'iad'),
      instanceId: instance.id,
      maintenanceCategory: random.pick(['FLEXIBLE', 'FLEXIBLE', 'MANDATORY', 'EMERGENCY']),
      maintenanceReason: hardware ? 'HARDWARE_REPLACEMENT' : random.pick(['FIRMWARE_UPDATE', 'EVACUATION']),
      canReschedule: random.chance(0.85),
      timeWindowStart: windowStart.toISOString(),
      timeHardDueDate: new Date(windowStart.getTime() + 14 * DAY).toISOString(),
      description: hardware ? 'A hardware fault was detected on this host.' : 'Planned host maintenance.',
      faults: hardware ? [random.pick(FAULTS)] : [],
    };
  });
  return checkReferences(Scenario.parse({ tenancy, compartments, instances, events }), 'generated fleet');
}
