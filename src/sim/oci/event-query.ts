import { z } from 'zod';
import { EventState } from '../../domain/event.js';
import { invalid } from './errors.js';

/** RFC 3339 as OCI's query dates must be: full date and time, with Z or an offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const rfc3339 = z
  .string()
  .regex(RFC3339, 'not an RFC 3339 date-time')
  .transform((text) => new Date(text).getTime())
  .refine((ms) => !Number.isNaN(ms), 'not an RFC 3339 date-time');

/**
 * ListInstanceMaintenanceEvents' filters, as the API reference documents them: each one only
 * returns what matches it exactly, the window bounds are inclusive, and TIMECREATED sorts
 * newest first unless told otherwise (DISPLAYNAME: A to Z, case-sensitive).
 */
const EventQuery = z.object({
  compartmentId: z.string().min(1),
  instanceId: z.string().optional(),
  lifecycleState: EventState.optional(),
  correlationToken: z.string().optional(),
  instanceAction: z.string().optional(),
  timeWindowStartGreaterThanOrEqualTo: rfc3339.optional(),
  timeWindowStartLessThanOrEqualTo: rfc3339.optional(),
  sortBy: z.enum(['TIMECREATED', 'DISPLAYNAME']).default('TIMECREATED'),
  sortOrder: z.enum(['ASC', 'DESC']).optional(),
});

/** What a listed event summary is filtered and sorted on (the summary's own JSON fields). */
export interface ListedEvent {
  instanceId: string;
  lifecycleState: string;
  correlationToken: string;
  instanceAction: string;
  timeWindowStart: string;
  timeCreated: string;
  displayName: string;
}

export interface EventListing {
  compartmentId: string;
  /** Ties a page token to these filters, as OCI's tokens are tied. */
  scope: string;
  select<T extends ListedEvent>(events: T[]): T[];
}

/** Reads the query (400 InvalidParameter naming the parameter when one is not valid). */
export function parseEventQuery(query: Map<string, string>): EventListing {
  const known = Object.keys(EventQuery.shape);
  const parsed = EventQuery.safeParse(
    Object.fromEntries([...query].filter(([name]) => known.includes(name))),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw invalid(`Invalid ${name} "${query.get(name) ?? ''}": ${issue.message}.`);
  }
  const q = parsed.data;
  const descending = (q.sortOrder ?? (q.sortBy === 'TIMECREATED' ? 'DESC' : 'ASC')) === 'DESC';
  const key = (e: ListedEvent) => (q.sortBy === 'TIMECREATED' ? e.timeCreated : e.displayName);
  const windowStart = (e: ListedEvent) => new Date(e.timeWindowStart).getTime();
  const matches = (e: ListedEvent) =>
    (q.instanceId === undefined || e.instanceId === q.instanceId) &&
    (q.lifecycleState === undefined || e.lifecycleState === q.lifecycleState) &&
    (q.correlationToken === undefined || e.correlationToken === q.correlationToken) &&
    (q.instanceAction === undefined || e.instanceAction === q.instanceAction) &&
    (q.timeWindowStartGreaterThanOrEqualTo === undefined ||
      windowStart(e) >= q.timeWindowStartGreaterThanOrEqualTo) &&
    (q.timeWindowStartLessThanOrEqualTo === undefined ||
      windowStart(e) <= q.timeWindowStartLessThanOrEqualTo);
  return {
    compartmentId: q.compartmentId,
    scope: `events/${JSON.stringify(q)}`,
    select: (events) =>
      events.filter(matches).sort((a, b) => {
        const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
        return descending ? -order : order;
      }),
  };
}
