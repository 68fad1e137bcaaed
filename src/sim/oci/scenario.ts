import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Duration } from '../../config.js';

/** The fault ids and wording OCI attaches to HPC GPU events, as `additionalDetails.faultDetails`. */
export const ScenarioFault = z.object({
  faultId: z.string().regex(/^[A-Z][A-Z0-9]*-\d{4}-\d{2}$/),
  faultSummary: z.string().optional(),
  impactedComponent: z.string().optional(),
});

const Outcome = z.enum(['SUCCEEDED', 'FAILED', 'CANCELED']);
/** An RFC 3339 time, or one relative to when the simulator starts: `+90s`, `+2h`, `-1d`. */
const scenarioTime = z.union([
  z.iso.datetime({ offset: true }),
  z.string().regex(/^[+-]\d+(ms|s|m|h|d)$/, 'expected an RFC 3339 time or an offset such as +5m'),
]);

/** A scenario time as an ISO string, offsets counted from `start`. */
export function resolveTime(value: string, start: Date): string {
  if (!/^[+-]/.test(value)) return new Date(value).toISOString();
  const offset = Duration.parse(value.slice(1));
  return new Date(start.getTime() + (value.startsWith('-') ? -offset : offset)).toISOString();
}

export const ScenarioCompartment = z.object({
  id: z.string().startsWith('ocid1.compartment.'),
  name: z.string().min(1),
  /** Absent: a direct child of the tenancy. */
  parentId: z.string().optional(),
  lifecycleState: z.enum(['ACTIVE', 'INACTIVE', 'DELETED']).default('ACTIVE'),
});

export const ScenarioInstance = z.object({
  id: z.string().startsWith('ocid1.instance.'),
  compartmentId: z.string(),
  displayName: z.string().min(1),
  shape: z.string().default('BM.GPU.H100.8'),
  privateIp: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/),
  /** The Slurm node this instance is, for the maintenance hooks; defaults to the display name. */
  node: z.string().optional(),
  lifecycleState: z.string().default('RUNNING'),
  /** A member of this instance pool: OCI refuses to terminate it directly (detach it first). */
  instancePoolId: z.string().startsWith('ocid1.instancepool.').optional(),
});

export const ScenarioEvent = z.object({
  id: z.string().startsWith('ocid1.instancemaintenanceevent.'),
  instanceId: z.string(),
  maintenanceCategory: z.string().default('FLEXIBLE'),
  maintenanceReason: z.string().default('HARDWARE_REPLACEMENT'),
  instanceAction: z.string().default('REBOOT_MIGRATION'),
  alternativeResolutionActions: z.array(z.string()).default(['REBOOT_MIGRATION']),
  canReschedule: z.boolean().default(true),
  timeWindowStart: scenarioTime,
  timeHardDueDate: scenarioTime.optional(),
  startWindowDuration: z.string().default('PT2H'),
  estimatedDuration: z.string().default('PT1H'),
  lifecycleState: z
    .enum(['SCHEDULED', 'STARTED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELED'])
    .default('SCHEDULED'),
  description: z.string().optional(),
  faults: z.array(ScenarioFault).default([]),
  freeformTags: z.record(z.string(), z.string()).default({}),
  /** How the maintenance ends once it has started. */
  outcome: Outcome.default('SUCCEEDED'),
  /** How the work request of an update to this event ends; FAILED comes with `workRequestErrors`. */
  workRequestOutcome: z.enum(['SUCCEEDED', 'FAILED']).default('SUCCEEDED'),
  workRequestErrors: z.array(z.object({ code: z.string(), message: z.string() })).default([]),
});

/** How long each stage lasts once it has begun. */
export const Lifecycle = z.object({
  eventStarted: Duration,
  eventProcessing: Duration,
  workRequestAccepted: Duration,
  workRequestInProgress: Duration,
  commandRuns: Duration,
  /** How long a terminated instance stays TERMINATING before it is TERMINATED. */
  instanceTerminating: Duration,
});
export type Lifecycle = z.infer<typeof Lifecycle>;

/** Demo: an event whose window has come is done within seconds. */
export const DEMO_LIFECYCLE: Lifecycle = {
  eventStarted: 2_000,
  eventProcessing: 5_000,
  workRequestAccepted: 300,
  workRequestInProgress: 1_000,
  commandRuns: 1_000,
  instanceTerminating: 3_000,
};

/** Closer to what OCI takes for a reboot migration of a bare-metal GPU host. */
export const REALISTIC_LIFECYCLE: Lifecycle = {
  eventStarted: 5 * 60_000,
  eventProcessing: 40 * 60_000,
  workRequestAccepted: 5_000,
  workRequestInProgress: 30_000,
  commandRuns: 60_000,
  instanceTerminating: 5 * 60_000,
};

export const Scenario = z.object({
  tenancy: z.object({ id: z.string().startsWith('ocid1.tenancy.'), name: z.string().default('tenancy') }),
  region: z.string().default('us-ashburn-1'),
  compartments: z.array(ScenarioCompartment).default([]),
  instances: z.array(ScenarioInstance).default([]),
  events: z.array(ScenarioEvent).default([]),
  lifecycle: Lifecycle.partial().default({}),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** Reads and validates a scenario file; every problem names its path in the file. */
export function readScenario(path: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`scenario ${path}: not readable JSON (${(error as Error).message})`);
  }
  const result = Scenario.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`scenario ${path} is invalid:\n${problems.join('\n')}`);
  }
  return checkReferences(result.data, path);
}

/** Instances must live in known compartments and events on known instances. */
export function checkReferences(scenario: Scenario, source = 'scenario'): Scenario {
  const compartments = new Set([scenario.tenancy.id, ...scenario.compartments.map((c) => c.id)]);
  const instances = new Set(scenario.instances.map((i) => i.id));
  const problems = [
    ...scenario.compartments
      .filter((c) => c.parentId && !compartments.has(c.parentId))
      .map((c) => `compartment ${c.id}: unknown parentId ${c.parentId}`),
    ...scenario.instances
      .filter((i) => !compartments.has(i.compartmentId))
      .map((i) => `instance ${i.id}: unknown compartmentId ${i.compartmentId}`),
    ...scenario.events
      .filter((e) => !instances.has(e.instanceId))
      .map((e) => `event ${e.id}: unknown instanceId ${e.instanceId}`),
  ];
  if (problems.length > 0) throw new Error(`${source} is inconsistent:\n  - ${problems.join('\n  - ')}`);
  return scenario;
}
