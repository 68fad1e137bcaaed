import type { MaintenanceEvent } from '../domain/event.js';
import { jobIdFor } from '../domain/job.js';
import type { Clock, Cloud, Store } from '../ports.js';

/**
 * Keeps the event on its active job as last read from OCI, and when (`pitstop list` shows both).
 * `readAt` is when the read began: a sweep that listed before a phase's poll must not put the
 * older state back over the newer one, however late it finishes.
 */
export async function recordEventRead(store: Store, event: MaintenanceEvent, readAt: string): Promise<void> {
  const job = store.get(jobIdFor(event.id));
  if (!job || (job.eventReadAt !== undefined && job.eventReadAt > readAt)) return;
  await store.annotate(job.id, { event, eventReadAt: readAt });
}

/**
 * The Cloud port as the phases get it: each event a phase reads (schedule, the maintenance
 * polls, health) is recorded on its job. Every other call goes to `cloud` unchanged (the
 * object inherits from it).
 */
export function recordingEventReads(cloud: Cloud, store: Store, clock: Clock): Cloud {
  const getEvent = async (eventId: string): Promise<MaintenanceEvent> => {
    const readAt = clock.now().toISOString();
    const event = await cloud.getEvent(eventId);
    await recordEventRead(store, event, readAt);
    return event;
  };
  return Object.assign(Object.create(cloud) as Cloud, { getEvent });
}
