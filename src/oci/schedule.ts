import type { MaintenanceEvent } from '../domain/event.js';
import type { ScheduleRequest, ScheduleResult } from '../ports.js';
import { call, type OciContext } from './context.js';
import { CloudError } from './errors.js';
import { fetchEvent } from './events.js';

/**
 * Moves the event's window to `windowStart` and tags it. The event is read just before, and
 * the update carries its etag (so a change in between is refused, not overwritten) and the
 * job's retry token (so a retried or resumed call is answered, not acted on twice). OCI's
 * update replaces freeform tags, so the existing ones are merged in, never dropped.
 */
export async function scheduleEvent(context: OciContext, request: ScheduleRequest): Promise<ScheduleResult> {
  const { event, etag } = await fetchEvent(context, request.eventId);
  if (!event.canReschedule) {
    return {
      kind: 'fixed_window',
      windowStart: event.timeWindowStart ?? '',
      reason: `OCI does not allow event ${event.id} to be rescheduled (canReschedule is false): OCI will act at its own window ${event.timeWindowStart ?? '(not given)'}; drain ahead of it and wait.`,
    };
  }
  // Our tags on a started event mean our earlier update landed (and we crashed before noting
  // it): the same retry token then gets OCI's first answer back instead of a second update.
  const ourUpdateLanded = Object.keys(request.tags).length > 0 && carries(event, request.tags);
  if (event.state !== 'SCHEDULED' && !ourUpdateLanded) {
    throw new CloudError(
      `event ${event.id} is ${event.state}, not SCHEDULED: its window can no longer be moved.`,
      'updateInstanceMaintenanceEvent',
    );
  }
  const response = await call(
    context,
    'updateInstanceMaintenanceEvent',
    `event ${event.id}`,
    event.compartmentId,
    (c) =>
      c.compute.updateInstanceMaintenanceEvent({
        instanceMaintenanceEventId: event.id,
        updateInstanceMaintenanceEventDetails: {
          timeWindowStart: request.windowStart,
          freeformTags: { ...event.freeformTags, ...request.tags },
        },
        ifMatch: etag,
        opcRetryToken: request.retryToken,
      }),
  );
  if (!response.opcWorkRequestId) {
    throw new CloudError(
      `updateInstanceMaintenanceEvent (event ${event.id}) returned no opc-work-request-id to follow.`,
      'updateInstanceMaintenanceEvent',
    );
  }
  return {
    kind: 'scheduled',
    workRequestId: response.opcWorkRequestId,
    windowStart: request.windowStart.toISOString(),
  };
}

const carries = (event: MaintenanceEvent, tags: Record<string, string>) =>
  Object.entries(tags).every(([key, value]) => event.freeformTags[key] === value);

/** Merges tags into the event without touching its window; nothing is sent when they are there. */
export async function tagEvent(
  context: OciContext,
  eventId: string,
  tags: Record<string, string>,
): Promise<void> {
  const { event, etag } = await fetchEvent(context, eventId);
  if (carries(event, tags)) return;
  await call(context, 'updateInstanceMaintenanceEvent', `event ${eventId} (tags)`, event.compartmentId, (c) =>
    c.compute.updateInstanceMaintenanceEvent({
      instanceMaintenanceEventId: eventId,
      updateInstanceMaintenanceEventDetails: { freeformTags: { ...event.freeformTags, ...tags } },
      ifMatch: etag,
    }),
  );
}
