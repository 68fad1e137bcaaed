import { type MaintenanceEvent, toMaintenanceEvent } from '../domain/event.js';
import { call, type OciContext } from './context.js';
import { CloudError } from './errors.js';

/** The full event and the etag to update it with. */
export async function fetchEvent(
  context: OciContext,
  eventId: string,
): Promise<{ event: MaintenanceEvent; etag?: string }> {
  const response = await call(context, 'getInstanceMaintenanceEvent', `event ${eventId}`, undefined, (c) =>
    c.compute.getInstanceMaintenanceEvent({ instanceMaintenanceEventId: eventId }),
  );
  try {
    return { event: toMaintenanceEvent(response.instanceMaintenanceEvent), etag: response.etag };
  } catch (error) {
    throw new CloudError(
      `getInstanceMaintenanceEvent (event ${eventId}) returned an unreadable event: ${(error as Error).message}`,
      'getInstanceMaintenanceEvent',
    );
  }
}
