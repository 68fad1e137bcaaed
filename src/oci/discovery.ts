import type identity from 'oci-identity';
import {
  type MaintenanceEvent,
  summaryDiffers,
  TERMINAL_EVENT_STATES,
  toMaintenanceEvent,
} from '../domain/event.js';
import type { Discovery, DiscoverySkip, ProgressReporter } from '../ports.js';
import { mapConcurrently } from './concurrency.js';
import { call, type OciContext } from './context.js';
import { CloudError } from './errors.js';
import { fetchEvent } from './events.js';
import { listAll } from './pages.js';
import { CompartmentWire, fromSdk } from './wire.js';

export interface DiscoveryOptions {
  /** An explicit list (OCI_COMPARTMENTS); empty: the tenancy and every ACTIVE compartment under it. */
  compartments: string[];
  concurrency: number;
  onProgress?: ProgressReporter;
  /** The events Pitstop holds (active jobs'): listed unchanged, they are not read again. */
  known?: readonly MaintenanceEvent[];
  /** Events whose job has ended: listed, they are neither read nor returned. */
  finished?: (eventId: string) => boolean;
}

/** The tenancy itself (not part of its own subtree listing) and every ACTIVE compartment below it. */
export async function listCompartmentIds(context: OciContext): Promise<string[]> {
  const items = await call(context, 'listCompartments', `tenancy ${context.tenancy}`, context.tenancy, (c) =>
    listAll((request) => c.identity.listCompartments(request), {
      compartmentId: context.tenancy,
      compartmentIdInSubtree: true,
      accessLevel: 'ANY' as identity.requests.ListCompartmentsRequest.AccessLevel,
      lifecycleState: 'ACTIVE' as identity.models.Compartment.LifecycleState,
      limit: 1000,
    }),
  );
  const compartments = items.map((item) => fromSdk(CompartmentWire, item, 'listCompartments'));
  return [context.tenancy, ...compartments.filter((c) => c.lifecycleState === 'ACTIVE').map((c) => c.id)];
}

/**
 * One sweep: compartments → their SCHEDULED events (paginated, `concurrency` at a time), so years
 * of finished history cost no pages (only a SCHEDULED event can become a job: one OCI already
 * started is past taking) → the full event (only it carries `additionalDetails` and its faults)
 * for each event not known yet or whose summary changed. A known event still open that no
 * listing showed (it started, ended or was canceled, or its compartment could not be listed) is
 * read by itself; a known one listed unchanged costs nothing more. The timeWindowStart filters are
 * never sent: the SDK formats query dates in local time. A compartment (or event) that cannot be
 * read is skipped and returned as such, so one missing policy does not hide every other
 * compartment's events, nor goes unnoticed; if no compartment can be read, it fails.
 */
export async function discoverEvents(context: OciContext, options: DiscoveryOptions): Promise<Discovery> {
  const progress = options.onProgress ?? (() => {});
  const compartments =
    options.compartments.length > 0 ? options.compartments : await listCompartmentIds(context);
  progress(`sweeping ${compartments.length} compartments, ${options.concurrency} at a time`);
  const failures: CloudError[] = [];
  const skipped: DiscoverySkip[] = [];
  const perCompartment = await mapConcurrently(compartments, options.concurrency, async (compartmentId) => {
    try {
      return await listScheduled(context, compartmentId);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      failures.push(error);
      skipped.push({ kind: 'compartment', id: compartmentId, error: error.message });
      progress(`skipped compartment ${compartmentId}: ${error.message}`);
      return [];
    }
  });
  if (failures.length > 0 && failures.length === compartments.length) throw failures[0]!;
  const listed = perCompartment.flat().filter((summary) => !options.finished?.(summary.id));
  const known = new Map((options.known ?? []).map((event) => [event.id, event]));
  const unchanged: MaintenanceEvent[] = [];
  const newOrChanged: MaintenanceEvent[] = [];
  for (const summary of listed) {
    const held = known.get(summary.id);
    if (held && !summaryDiffers(held, summary)) unchanged.push(held);
    else newOrChanged.push(summary);
  }
  const listedIds = new Set(listed.map((summary) => summary.id));
  const left = [...known.values()].filter(
    (held) => !listedIds.has(held.id) && !TERMINAL_EVENT_STATES.has(held.state),
  );
  progress(
    `listed ${listed.length} scheduled events (${newOrChanged.length} new or changed); ` +
      `${left.length} known open events not listed; reading those`,
  );
  const read = await mapConcurrently(
    [...newOrChanged, ...left].map((event) => event.id),
    options.concurrency,
    async (eventId) => {
      try {
        return (await fetchEvent(context, eventId)).event;
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        skipped.push({ kind: 'event', id: eventId, error: error.message });
        progress(`skipped event ${eventId} this sweep: ${error.message}`);
        return undefined;
      }
    },
  );
  // An event is only returned whole: its faults are in the details, and a job created without
  // them would never get them. The next sweep reads again what was skipped.
  return { events: [...unchanged, ...read.filter((event) => event !== undefined)], skipped };
}

async function listScheduled(context: OciContext, compartmentId: string): Promise<MaintenanceEvent[]> {
  const items = await call(
    context,
    'listInstanceMaintenanceEvents',
    `compartment ${compartmentId}`,
    compartmentId,
    (c) =>
      listAll((request) => c.compute.listInstanceMaintenanceEvents(request), {
        compartmentId,
        lifecycleState: 'SCHEDULED',
        limit: 100,
      }),
  );
  return items.map((item) => {
    try {
      return toMaintenanceEvent(item);
    } catch (error) {
      throw new CloudError(
        `listInstanceMaintenanceEvents (compartment ${compartmentId}) returned an unreadable event ${(item as { id?: string }).id}: ${(error as Error).message}`,
        'listInstanceMaintenanceEvents',
      );
    }
  });
}
