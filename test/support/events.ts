import { type MaintenanceEvent, toMaintenanceEvent } from '../../src/domain/event.js';

/** An event as the OCI SDK hands it over (dates as strings, faultDetails as a JSON string). */
export function ociEvent(overrides: Record<string, unknown> = {}) {
  return {
    id: 'ocid1.instancemaintenanceevent.oc1.iad.aaaa1',
    instanceId: 'ocid1.instance.oc1.iad.bbbb1',
    compartmentId: 'ocid1.compartment.oc1..cccc1',
    displayName: 'gpu-1 maintenance',
    maintenanceCategory: 'FLEXIBLE',
    maintenanceReason: 'HARDWARE_REPLACEMENT',
    instanceAction: 'REBOOT_MIGRATION',
    alternativeResolutionActions: ['REBOOT_MIGRATION', 'TERMINATE'],
    timeWindowStart: '2026-12-01T10:00:00.000Z',
    timeHardDueDate: '2026-12-08T10:00:00.000Z',
    canReschedule: true,
    timeCreated: '2026-11-20T08:00:00.000Z',
    lifecycleState: 'SCHEDULED',
    createdBy: 'SYSTEM',
    freeformTags: { team: 'hpc' },
    additionalDetails: {
      faultDetails: JSON.stringify([
        { faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA link flapping', impactedComponent: 'NIC' },
      ]),
    },
    ...overrides,
  };
}

export const sampleEvent = (overrides: Record<string, unknown> = {}): MaintenanceEvent =>
  toMaintenanceEvent(ociEvent(overrides));
