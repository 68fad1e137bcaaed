import type identity from 'oci-identity';
import { type MaintenanceEvent, TERMINAL_EVENT_STATES, toMaintenanceEvent } from '../domain/event.js';
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
 * One sweep: compartments → their events (paginated, `concurrency` at a time) → the full event
 * for every one still open (only the full event carries `additionalDetails` and its faults).
 * The timeWindowStart filters are never sent: the SDK formats query dates in local time.
 * A compartment (or event) that cannot be read is skipped and returned as such, so one missing
 * policy does not hide every other compartment's events, nor goes unnoticed; if no compartment
 * can be read, it fails.
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
      return await listEventSummaries(context, compartmentId);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      failures.push(error);
      skipped.push({ kind: 'compartment', id: compartmentId, error: error.message });
      progress(`skipped compartment ${compartmentId}: ${error.message}`);
      return [];
    }
  });
  if (failures.length > 0 && failures.length === compartments.length) throw failures[0]!;
  const summaries = perCompartment.flat();
  const open = summaries.filter((s) => !TERMINAL_EVENT_STATES.has(s.state));
  progress(`found ${summaries.length} events (${open.length} open); reading their details`);
  const full = await mapConcurrently(open, options.concurrency, async (summary) => {
    try {
      return (await fetchEvent(context, summary.id)).event;
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      skipped.push({ kind: 'event', id: summary.id, error: error.message });
      progress(`skipped event ${summary.id} this sweep: ${error.message}`);
      return undefined;
    }
  });
  // An open event is only returned whole: its faults are in the details, and a job created
  // without them would never get them. The next sweep picks up what was skipped.
  const byId = new Map(full.flatMap((event) => (event ? [[event.id, event]] : [])));
  const events = summaries.flatMap((s) =>
    TERMINAL_EVENT_STATES.has(s.state) ? [s] : byId.has(s.id) ? [byId.get(s.id)!] : [],
  );
  return { events, skipped };
}

async function listEventSummaries(context: OciContext, compartmentId: string): Promise<MaintenanceEvent[]> {
  const items = await call(
    context,
    'listInstanceMaintenanceEvents',
    `compartment ${compartmentId}`,
    compartmentId,
    (c) =>
      listAll((request) => c.compute.listInstanceMaintenanceEvents(request), { compartmentId, limit: 100 }),
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
