import { z } from 'zod';

/** OCI's lifecycle of an instance maintenance event. There is no COMPLETED state. */
export const EventState = z.enum(['SCHEDULED', 'STARTED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELED']);
export type EventState = z.infer<typeof EventState>;

export const TERMINAL_EVENT_STATES: ReadonlySet<EventState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

// The SDK adds UNKNOWN_VALUE for enum values newer than itself; we keep whatever OCI sent.
const openEnum = <T extends [string, ...string[]]>(values: T) =>
  z.union([z.enum(values), z.string().min(1)]) as z.ZodType<T[number] | (string & {})>;

export const MaintenanceCategory = openEnum([
  'EMERGENCY',
  'MANDATORY',
  'FLEXIBLE',
  'OPTIONAL',
  'NOTIFICATION',
]);
export const MaintenanceReason = openEnum([
  'EVACUATION',
  'ENVIRONMENTAL_FACTORS',
  'DECOMMISSION',
  'HARDWARE_REPLACEMENT',
  'FIRMWARE_UPDATE',
  'SECURITY_UPDATE',
]);
export const InstanceAction = openEnum(['REBOOT_MIGRATION', 'TERMINATE', 'STOP', 'NONE']);

/** The SDK hands dates back as strings (its deserializer does not revive them); accept both. */
const isoDate = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(value)}` });
    return z.NEVER;
  }
  return date.toISOString();
});

/** One fault OCI attached to the event (e.g. HPCRDMA-0002-02), as far as it can be read. */
export const FaultDetail = z.object({
  faultId: z.string(),
  summary: z.string().optional(),
  component: z.string().optional(),
});
export type FaultDetail = z.infer<typeof FaultDetail>;

/** The wire shape of `InstanceMaintenanceEvent` (and its summary) as the OCI SDK returns it. */
export const OciMaintenanceEvent = z.object({
  id: z.string().min(1),
  instanceId: z.string().min(1),
  compartmentId: z.string().min(1),
  displayName: z.string().optional(),
  maintenanceCategory: MaintenanceCategory,
  maintenanceReason: MaintenanceReason,
  instanceAction: InstanceAction,
  alternativeResolutionActions: z.array(z.string()).default([]),
  timeWindowStart: isoDate.optional(),
  startWindowDuration: z.string().optional(),
  estimatedDuration: z.string().optional(),
  timeHardDueDate: isoDate.optional(),
  timeStarted: isoDate.optional(),
  timeFinished: isoDate.optional(),
  timeCreated: isoDate,
  canReschedule: z.boolean(),
  canDeleteLocalStorage: z.boolean().optional(),
  lifecycleState: EventState,
  lifecycleDetails: z.string().optional(),
  createdBy: z.string().optional(),
  description: z.string().optional(),
  correlationToken: z.string().optional(),
  freeformTags: z.record(z.string(), z.string()).optional(),
  additionalDetails: z.record(z.string(), z.string()).optional(),
});
export type OciMaintenanceEvent = z.input<typeof OciMaintenanceEvent>;

/** The event as Pitstop keeps it: dates as ISO strings, faults read out of `additionalDetails`. */
export const MaintenanceEvent = z.object({
  id: z.string().min(1),
  instanceId: z.string().min(1),
  compartmentId: z.string().min(1),
  displayName: z.string().optional(),
  state: EventState,
  category: z.string(),
  reason: z.string(),
  instanceAction: z.string(),
  canReschedule: z.boolean(),
  timeWindowStart: z.string().optional(),
  timeHardDueDate: z.string().optional(),
  startWindowDuration: z.string().optional(),
  estimatedDuration: z.string().optional(),
  timeCreated: z.string(),
  timeStarted: z.string().optional(),
  timeFinished: z.string().optional(),
  description: z.string().optional(),
  lifecycleDetails: z.string().optional(),
  faults: z.array(FaultDetail),
  /** Set when `additionalDetails.faultDetails` was present but not readable JSON. */
  unreadableFaultDetails: z.string().optional(),
  freeformTags: z.record(z.string(), z.string()),
  additionalDetails: z.record(z.string(), z.string()),
});
export type MaintenanceEvent = z.infer<typeof MaintenanceEvent>;

const FAULT_ID = /^[A-Z][A-Z0-9]*-\d{4}-\d{2}$/;

function asFault(entry: unknown): FaultDetail | undefined {
  if (typeof entry === 'string') return FAULT_ID.test(entry) ? { faultId: entry } : undefined;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const record = entry as Record<string, unknown>;
  const faultId = record.faultId ?? record.fault_id ?? record.id;
  if (typeof faultId !== 'string') return undefined;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  return {
    faultId,
    summary: text('faultSummary') ?? text('summary') ?? text('description'),
    component: text('impactedComponent') ?? text('component'),
  };
}

/**
 * OCI sends `additionalDetails.faultDetails` as a JSON *string* (an array of fault objects), and
 * sometimes a comma-separated `faultIds`. Both are read; what cannot be parsed is kept verbatim
 * so an operator still sees it.
 */
export function readFaults(additional: Record<string, string> | undefined): {
  faults: FaultDetail[];
  unreadable?: string;
} {
  const faults = new Map<string, FaultDetail>();
  let unreadable: string | undefined;
  const raw = additional?.faultDetails;
  if (raw !== undefined && raw.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(raw);
      for (const entry of Array.isArray(parsed) ? parsed : [parsed]) {
        const fault = asFault(entry);
        if (fault) faults.set(fault.faultId, fault);
      }
    } catch {
      unreadable = raw;
    }
  }
  for (const id of (additional?.faultIds ?? '').split(/[\s,]+/)) {
    if (FAULT_ID.test(id) && !faults.has(id)) faults.set(id, { faultId: id });
  }
  return { faults: [...faults.values()], ...(unreadable === undefined ? {} : { unreadable }) };
}

/** Normalizes what the SDK returned; throws a ZodError naming the bad field otherwise. */
export function toMaintenanceEvent(input: unknown): MaintenanceEvent {
  const oci = OciMaintenanceEvent.parse(input);
  const { faults, unreadable } = readFaults(oci.additionalDetails);
  return MaintenanceEvent.parse({
    id: oci.id,
    instanceId: oci.instanceId,
    compartmentId: oci.compartmentId,
    displayName: oci.displayName,
    state: oci.lifecycleState,
    category: oci.maintenanceCategory,
    reason: oci.maintenanceReason,
    instanceAction: oci.instanceAction,
    canReschedule: oci.canReschedule,
    timeWindowStart: oci.timeWindowStart,
    timeHardDueDate: oci.timeHardDueDate,
    startWindowDuration: oci.startWindowDuration,
    estimatedDuration: oci.estimatedDuration,
    timeCreated: oci.timeCreated,
    timeStarted: oci.timeStarted,
    timeFinished: oci.timeFinished,
    description: oci.description,
    lifecycleDetails: oci.lifecycleDetails,
    faults,
    unreadableFaultDetails: unreadable,
    freeformTags: oci.freeformTags ?? {},
    additionalDetails: oci.additionalDetails ?? {},
  });
}

/**
 * What an event's list summary carries (InstanceMaintenanceEventSummary): the full event adds
 * only additionalDetails (the faults), lifecycleDetails and canDeleteLocalStorage.
 */
const SUMMARY_FIELDS = [
  'instanceId',
  'compartmentId',
  'displayName',
  'state',
  'category',
  'reason',
  'instanceAction',
  'canReschedule',
  'timeWindowStart',
  'timeHardDueDate',
  'startWindowDuration',
  'estimatedDuration',
  'timeCreated',
  'timeStarted',
  'timeFinished',
  'description',
  'freeformTags',
] as const satisfies readonly (keyof MaintenanceEvent)[];

/** True when the listed summary says anything the held event does not: the full event must be read again. */
export function summaryDiffers(held: MaintenanceEvent, listed: MaintenanceEvent): boolean {
  return SUMMARY_FIELDS.some((field) => JSON.stringify(held[field]) !== JSON.stringify(listed[field]));
}

/** A short label for messages and Slurm reasons: the first fault id, else the maintenance reason. */
export function faultLabel(event: MaintenanceEvent): string {
  return event.faults[0]?.faultId ?? event.reason;
}
