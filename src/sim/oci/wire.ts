/**
 * The JSON shapes OCI sends, built from the simulator's state. Field names follow the REST API
 * (and therefore the SDK's models); dates are RFC 3339 strings.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { SimCommand, SimEvent, SimWorkRequest } from './fleet.js';
import { stageAt } from './fleet.js';
import type { Lifecycle, ScenarioCompartment, ScenarioInstance } from './scenario.js';

type Compartment = z.infer<typeof ScenarioCompartment>;
type Instance = z.infer<typeof ScenarioInstance>;

const TIME_CREATED = '2025-06-01T00:00:00.000Z';
const AVAILABILITY_DOMAIN = 'Uocm:US-ASHBURN-AD-1';

export function compartmentJson(c: Compartment, tenancyId: string) {
  return {
    id: c.id,
    compartmentId: c.parentId ?? tenancyId,
    name: c.name,
    description: `compartment ${c.name}`,
    timeCreated: TIME_CREATED,
    lifecycleState: c.lifecycleState,
    isAccessible: true,
    freeformTags: {},
    definedTags: {},
  };
}

export function instanceJson(i: Instance, region: string) {
  return {
    id: i.id,
    compartmentId: i.compartmentId,
    availabilityDomain: AVAILABILITY_DOMAIN,
    faultDomain: 'FAULT-DOMAIN-1',
    displayName: i.displayName,
    shape: i.shape,
    region,
    lifecycleState: i.lifecycleState,
    launchMode: 'NATIVE',
    timeCreated: TIME_CREATED,
    metadata: {},
    extendedMetadata: {},
    freeformTags: {},
    definedTags: {},
  };
}

/** The instance's one VNIC; its id is derived from the instance's, so no state is needed. */
export const vnicIdOf = (instanceId: string) =>
  `ocid1.vnic.oc1.iad.${createHash('sha256').update(instanceId).digest('hex').slice(0, 60)}`;

export function vnicAttachmentJson(i: Instance) {
  return {
    id: `ocid1.vnicattachment.oc1.iad.${createHash('sha256').update(`att/${i.id}`).digest('hex').slice(0, 60)}`,
    availabilityDomain: AVAILABILITY_DOMAIN,
    compartmentId: i.compartmentId,
    instanceId: i.id,
    vnicId: vnicIdOf(i.id),
    nicIndex: 0,
    lifecycleState: 'ATTACHED',
    timeCreated: TIME_CREATED,
  };
}

export function vnicJson(i: Instance) {
  return {
    id: vnicIdOf(i.id),
    availabilityDomain: AVAILABILITY_DOMAIN,
    compartmentId: i.compartmentId,
    displayName: `${i.displayName}-vnic`,
    hostnameLabel: i.displayName,
    isPrimary: true,
    lifecycleState: 'AVAILABLE',
    privateIp: i.privateIp,
    subnetId: 'ocid1.subnet.oc1.iad.aaaaaaaasimulated',
    timeCreated: TIME_CREATED,
  };
}

/** The summary has no additionalDetails, lifecycleDetails or canDeleteLocalStorage. */
export function eventSummaryJson(e: SimEvent) {
  return {
    id: e.id,
    instanceId: e.instanceId,
    compartmentId: e.compartmentId,
    displayName: `Maintenance for ${e.instanceId.slice(-8)}`,
    maintenanceCategory: e.maintenanceCategory,
    maintenanceReason: e.maintenanceReason,
    instanceAction: e.instanceAction,
    alternativeResolutionActions: e.alternativeResolutionActions,
    timeStarted: e.timeStarted,
    timeFinished: e.timeFinished,
    timeWindowStart: e.timeWindowStart,
    startWindowDuration: e.startWindowDuration,
    estimatedDuration: e.estimatedDuration,
    timeHardDueDate: e.timeHardDueDate,
    canReschedule: e.canReschedule,
    timeCreated: e.timeCreated,
    lifecycleState: e.lifecycleState,
    createdBy: 'SYSTEM',
    description: e.description,
    correlationToken: `ct-${e.id.slice(-12)}`,
    freeformTags: e.freeformTags,
    definedTags: {},
  };
}

/** OCI sends `faultDetails` as a JSON string inside the string-to-string `additionalDetails`. */
export function eventJson(e: SimEvent) {
  const additionalDetails: Record<string, string> = {};
  if (e.faults.length > 0) {
    additionalDetails.faultDetails = JSON.stringify(e.faults);
    additionalDetails.faultIds = e.faults.map((f) => f.faultId).join(',');
  }
  return {
    ...eventSummaryJson(e),
    lifecycleDetails: e.lifecycleDetails,
    canDeleteLocalStorage: false,
    additionalDetails,
  };
}

export function workRequestJson(w: SimWorkRequest, now: Date, lifecycle: Lifecycle) {
  const at = stageAt(w.accepted, now, lifecycle.workRequestAccepted, lifecycle.workRequestInProgress);
  const status = at.stage === 'DONE' ? w.outcome : at.stage;
  return {
    id: w.id,
    operationType: 'UpdateInstanceMaintenanceEvent',
    status,
    compartmentId: w.compartmentId,
    resources: [
      {
        entityType: 'instanceMaintenanceEvent',
        actionType: at.stage === 'DONE' ? 'UPDATED' : 'IN_PROGRESS',
        identifier: w.eventId,
        entityUri: `/20160918/instanceMaintenanceEvents/${w.eventId}`,
      },
    ],
    percentComplete: at.stage === 'DONE' ? 100 : at.stage === 'IN_PROGRESS' ? 50 : 0,
    timeAccepted: w.accepted.toISOString(),
    timeStarted: at.started?.toISOString(),
    timeFinished: at.finished?.toISOString(),
  };
}

export function workRequestErrorsJson(w: SimWorkRequest, now: Date, lifecycle: Lifecycle) {
  const done =
    stageAt(w.accepted, now, lifecycle.workRequestAccepted, lifecycle.workRequestInProgress).stage === 'DONE';
  if (!done || w.outcome !== 'FAILED') return [];
  return w.errors.map((e) => ({ ...e, timestamp: now.toISOString() }));
}

export function commandJson(c: SimCommand) {
  return {
    id: c.id,
    compartmentId: c.compartmentId,
    displayName: c.displayName,
    timeCreated: c.created.toISOString(),
    timeUpdated: c.created.toISOString(),
    isCanceled: false,
    executionTimeOutInSeconds: c.timeoutSeconds,
    target: { instanceId: c.instanceId },
    content: { source: { sourceType: 'TEXT', text: c.script }, output: { outputType: 'TEXT' } },
  };
}

export function commandExecutionJson(c: SimCommand, now: Date, lifecycle: Lifecycle) {
  const at = stageAt(c.created, now, Math.min(500, lifecycle.commandRuns), lifecycle.commandRuns);
  const done = at.stage === 'DONE';
  return {
    instanceAgentCommandId: c.id,
    instanceId: c.instanceId,
    deliveryState: at.stage === 'ACCEPTED' ? 'VISIBLE' : 'ACKED',
    lifecycleState: done ? (c.exitCode === 0 ? 'SUCCEEDED' : 'FAILED') : at.stage,
    timeCreated: c.created.toISOString(),
    timeUpdated: (at.finished ?? at.started ?? c.created).toISOString(),
    sequenceNumber: 1,
    displayName: c.displayName,
    content: done
      ? {
          outputType: 'TEXT',
          exitCode: c.exitCode,
          message: 'Execution completed',
          text: c.output,
          textSha256: createHash('sha256').update(c.output).digest('hex'),
        }
      : { outputType: 'TEXT', exitCode: 0, message: 'Execution in progress' },
  };
}
