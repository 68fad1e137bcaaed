import type { Lifecycle, ScenarioInput } from '../sim/oci/scenario.js';
import type { SimNodeSpec } from '../sim/slurm/index.js';

/**
 * The demo's cluster and its maintenance events. Every duration is a "speed 1" figure divided
 * by `speed`, so the whole run takes about a minute at the default speed.
 */

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaapitstopdemo';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaahpcdemo';
/** The shape whose figures the healthy outputs show (8 GPUs, 12 NVLinks each). */
const SHAPE = 'BM.GPU.A100-v2.8';

export const APPROVER = { id: 'U0ALICE', name: 'alice', realName: 'Alice Approver' };
export const BYSTANDER = { id: 'U0BOB', name: 'bob', realName: 'Bob Bystander' };
export const CHANNEL = { id: 'C0PITSTOP', name: 'pitstop' };

/** Auto-approved: firmware updates move by themselves; hardware replacements wait for a person. */
export const AUTO_APPROVE = ['FIRMWARE_UPDATE'];

/** The node whose GPUs fail their checks after maintenance. */
export const FAILING_NODE = 'gpu-04';
/** Drained by an operator before the demo starts: Pitstop leaves it alone. */
export const HAND_DRAINED = {
  node: 'gpu-07',
  user: 'bob',
  reason: 'pitstop: RMA ticket 4411, fans replaced on Monday; keep out until then',
};

const NODES = Array.from({ length: 12 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return { name: `gpu-${n}`, address: `10.0.10.${11 + i}`, partitions: [i < 8 ? 'train' : 'infer'] };
});

export const SLURM_NODES: SimNodeSpec[] = NODES.map((node) => ({ ...node, gpus: 8, gpuType: 'a100' }));

/** Slurm jobs running when the demo starts, so drains visibly wait for them to end. */
export const SLURM_JOBS = [
  { node: 'gpu-01', user: 'mlteam', name: 'train-llm-7b', gpus: 8, durationMs: 20_000 },
  { node: 'gpu-02', user: 'vision', name: 'eval-detector', gpus: 4, durationMs: 12_000 },
  { node: 'gpu-09', user: 'serving', name: 'batch-infer', gpus: 8, durationMs: 18_000 },
  { node: 'gpu-10', user: 'mlteam', name: 'finetune-rlhf', gpus: 8, durationMs: 15_000 },
] as const;

const eventId = (name: string) => `ocid1.instancemaintenanceevent.oc1.iad.aaaaaaaademo${name}`;
const instanceId = (node: string) => `ocid1.instance.oc1.iad.aaaaaaaademo${node.replace('-', '')}`;

/** The events, by what the demo shows with each. */
export const EVENTS = {
  firmware: { id: eventId('firmware'), node: 'gpu-01' },
  toApprove: { id: eventId('nic'), node: 'gpu-02' },
  toDeny: { id: eventId('gpu'), node: 'gpu-03' },
  failsChecks: { id: eventId('nvswitch'), node: FAILING_NODE },
  canceled: { id: eventId('canceled'), node: 'gpu-05' },
  handDrained: { id: eventId('hand'), node: HAND_DRAINED.node },
  fixedWindow: { id: eventId('fixed'), node: 'gpu-09' },
  bios: { id: eventId('bios'), node: 'gpu-10' },
} as const;

export interface DemoTimings {
  /** Pitstop's settings, as the environment variables `pitstop serve` reads. */
  env: Record<string, string>;
  lifecycle: Lifecycle;
  /** How long a node is away while OCI maintains it. */
  rebootMs: number;
  slurmdTimeoutMs: number;
  scale(ms: number): number;
}

export function demoTimings(speed: number): DemoTimings {
  const scale = (ms: number) => Math.max(1, Math.round(ms / speed));
  const duration = (ms: number) => `${scale(ms)}ms`;
  return {
    env: {
      LEAD_TIME: duration(5_000),
      FIXED_WINDOW_DRAIN_LEAD: duration(25_000),
      DRAIN_TIMEOUT: duration(120_000),
      DUE_WARNING: duration(30_000),
      MAINTENANCE_TIMEOUT: duration(120_000),
      POLL_INITIAL: duration(2_000),
      POLL_MAX: duration(6_000),
      BACK_TIMEOUT: duration(60_000),
      HEALTH_TIMEOUT: duration(30_000),
    },
    lifecycle: {
      workRequestAccepted: scale(300),
      workRequestInProgress: scale(1_000),
      eventStarted: scale(2_000),
      eventProcessing: scale(6_000),
      commandRuns: scale(1_000),
      instanceTerminating: scale(3_000),
    },
    rebootMs: scale(4_000),
    slurmdTimeoutMs: scale(2_000),
    scale,
  };
}

/** The OCI side: one instance per Slurm node (same name, private IP = NodeAddr) and the events. */
export function demoScenario(now: Date, timings: DemoTimings): ScenarioInput {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const inDays = (days: number) => at(days * 86_400_000);
  const event = (
    which: keyof typeof EVENTS,
    fields: Omit<NonNullable<ScenarioInput['events']>[number], 'id' | 'instanceId' | 'timeWindowStart'> & {
      timeWindowStart?: string;
    },
  ) => ({
    id: EVENTS[which].id,
    instanceId: instanceId(EVENTS[which].node),
    timeWindowStart: inDays(2),
    timeHardDueDate: inDays(14),
    ...fields,
  });
  return {
    tenancy: { id: TENANCY, name: 'demo-tenancy' },
    compartments: [{ id: COMPARTMENT, name: 'hpc' }],
    instances: NODES.map((node) => ({
      id: instanceId(node.name),
      compartmentId: COMPARTMENT,
      displayName: node.name,
      shape: SHAPE,
      privateIp: node.address,
    })),
    events: [
      event('firmware', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        description: 'GPU firmware update to fix a power-capping issue.',
        faults: [
          { faultId: 'HPCGPU-0007-01', faultSummary: 'GPU firmware update', impactedComponent: 'GPU' },
        ],
      }),
      event('toApprove', {
        maintenanceReason: 'HARDWARE_REPLACEMENT',
        description: 'An RDMA NIC on this host reports link flaps.',
        faults: [
          { faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA NIC link flaps', impactedComponent: 'RDMA NIC' },
        ],
      }),
      event('toDeny', {
        maintenanceReason: 'HARDWARE_REPLACEMENT',
        description: 'A GPU on this host reports correctable memory errors.',
        faults: [
          {
            faultId: 'HPCGPU-0001-01',
            faultSummary: 'GPU memory errors above threshold',
            impactedComponent: 'GPU',
          },
        ],
      }),
      event('failsChecks', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        description: 'NVSwitch firmware update.',
        faults: [
          {
            faultId: 'HPCGPU-0010-01',
            faultSummary: 'NVSwitch firmware update',
            impactedComponent: 'NVSwitch',
          },
        ],
      }),
      event('canceled', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        description: 'BMC firmware update; OCI cancels it once it has started.',
        outcome: 'CANCELED',
        faults: [
          { faultId: 'HPCBMC-0003-01', faultSummary: 'BMC firmware update', impactedComponent: 'BMC' },
        ],
      }),
      event('handDrained', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        description: 'GPU firmware update on a node an operator keeps out.',
        faults: [
          { faultId: 'HPCGPU-0007-01', faultSummary: 'GPU firmware update', impactedComponent: 'GPU' },
        ],
      }),
      event('fixedWindow', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        maintenanceCategory: 'EMERGENCY',
        canReschedule: false,
        timeWindowStart: at(timings.scale(40_000)),
        timeHardDueDate: at(timings.scale(40_000)),
        description: 'Emergency InfiniBand firmware fix at a window OCI will not move.',
        faults: [
          {
            faultId: 'HPCRDMA-0005-01',
            faultSummary: 'RDMA firmware security fix',
            impactedComponent: 'RDMA NIC',
          },
        ],
      }),
      event('bios', {
        maintenanceReason: 'FIRMWARE_UPDATE',
        description: 'BIOS update for PCIe link training.',
        faults: [
          { faultId: 'HPCSYS-0002-01', faultSummary: 'BIOS update', impactedComponent: 'Motherboard' },
        ],
      }),
    ],
  };
}
