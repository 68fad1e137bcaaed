import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { invalid, OciApiError } from './errors.js';
import { parseEventQuery } from './event-query.js';
import type { Fleet } from './fleet.js';
import { headerOf } from './headers.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import {
  commandExecutionJson,
  commandJson,
  compartmentJson,
  eventJson,
  eventSummaryJson,
  instanceJson,
  vnicAttachmentJson,
  vnicIdOf,
  vnicJson,
  workRequestErrorsJson,
  workRequestJson,
} from './wire.js';

export interface Call {
  params: string[];
  /** Decoded from the raw query string, where `+` stays `+`. */
  query: Map<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  now: Date;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  pattern: RegExp;
  /** The SDK's operation name: what faults and the request log are keyed by. */
  operation: string;
  handle(call: Call, fleet: Fleet, options: RouteOptions): Reply;
}

export interface RouteOptions {
  /** OCI caps `limit`; a small cap here makes tests page. */
  maxPageSize: number;
}

const ID = '([^/?]+)';
const route = (method: Route['method'], path: string, operation: string, handle: Route['handle']): Route => ({
  method,
  pattern: new RegExp(`^${path.replaceAll('{id}', ID)}$`),
  operation,
  handle,
});

function required(call: Call, name: string): string {
  const value = call.query.get(name);
  if (!value) throw new OciApiError(400, 'MissingParameter', `Missing the required parameter ${name}.`);
  return value;
}

/** One page of `items`, with `opc-next-page` when more follow. */
function page<T>(call: Call, items: T[], scope: string, options: RouteOptions): Reply {
  const limit = Math.min(Number(call.query.get('limit') ?? options.maxPageSize) || 1, options.maxPageSize);
  const token = call.query.get('page');
  const offset = token === undefined ? 0 : decodePageToken(token, scope);
  if (offset === undefined) throw invalid(`The page token is not valid for this listing: ${token}`);
  const end = offset + limit;
  return {
    status: 200,
    body: items.slice(offset, end),
    headers: end < items.length ? { 'opc-next-page': encodePageToken(end, scope) } : {},
  };
}

const UpdateBody = z.object({
  timeWindowStart: z.string().optional(),
  freeformTags: z.record(z.string(), z.string()).optional(),
  displayName: z.string().optional(),
});

const CommandBody = z.object({
  compartmentId: z.string(),
  executionTimeOutInSeconds: z.number().int().positive(),
  displayName: z.string().optional(),
  target: z.object({ instanceId: z.string() }),
  content: z.object({
    source: z.object({ sourceType: z.literal('TEXT'), text: z.string() }),
    output: z.object({ outputType: z.literal('TEXT') }).optional(),
  }),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalid(`The request body is invalid: ${result.error.issues[0]?.message}`);
  return result.data;
}

export const ROUTES: Route[] = [
  route('GET', '/20160918/compartments', 'listCompartments', (call, fleet, options) => {
    const parent = required(call, 'compartmentId');
    const subtree = call.query.get('compartmentIdInSubtree') === 'true';
    fleet.assertReadable(parent);
    if (subtree && parent !== fleet.tenancy.id) {
      throw invalid('compartmentIdInSubtree can only be true when compartmentId is the tenancy.');
    }
    const state = call.query.get('lifecycleState');
    const items = fleet
      .compartmentsUnder(parent, subtree)
      .filter((c) => !state || c.lifecycleState === state)
      .map((c) => compartmentJson(c, fleet.tenancy.id));
    return page(call, items, `compartments/${parent}/${subtree}/${state}`, options);
  }),
  route(
    'GET',
    '/20160918/instanceMaintenanceEvents',
    'listInstanceMaintenanceEvents',
    (call, fleet, options) => {
      required(call, 'compartmentId');
      const listing = parseEventQuery(call.query);
      const items = listing.select(fleet.eventsIn(listing.compartmentId).map(eventSummaryJson));
      return page(call, items, listing.scope, options);
    },
  ),
  route('GET', '/20160918/instanceMaintenanceEvents/{id}', 'getInstanceMaintenanceEvent', (call, fleet) => {
    const event = fleet.event(call.params[0]!);
    return { status: 200, body: eventJson(event), headers: { etag: fleet.etagOf(event) } };
  }),
  route(
    'PUT',
    '/20160918/instanceMaintenanceEvents/{id}',
    'updateInstanceMaintenanceEvent',
    (call, fleet) => {
      const details = parseBody(UpdateBody, call.body);
      const request = fleet.updateEvent(
        call.params[0]!,
        details,
        headerOf(call.headers, 'if-match'),
        call.now,
      );
      return { status: 202, headers: { 'opc-work-request-id': request.id } };
    },
  ),
  route('GET', '/20160918/instances/{id}', 'getInstance', (call, fleet) => ({
    status: 200,
    body: instanceJson(fleet.instance(call.params[0]!), fleet.region),
    headers: { etag: `instance-${call.params[0]!.slice(-12)}` },
  })),
  route('DELETE', '/20160918/instances/{id}', 'terminateInstance', (call, fleet) => {
    fleet.terminateInstance(call.params[0]!, call.now);
    return { status: 204 };
  }),
  route('GET', '/20160918/vnicAttachments', 'listVnicAttachments', (call, fleet, options) => {
    const compartmentId = required(call, 'compartmentId');
    const instanceId = call.query.get('instanceId');
    const items = fleet.instancesIn(compartmentId, instanceId).map(vnicAttachmentJson);
    return page(call, items, `vnicAttachments/${compartmentId}/${instanceId}`, options);
  }),
  route('GET', '/20160918/vnics/{id}', 'getVnic', (call, fleet) => {
    const vnicId = call.params[0]!;
    const instance = fleet.instanceWhere((i) => vnicIdOf(i.id) === vnicId, `vnic ${vnicId}`);
    return { status: 200, body: vnicJson(instance), headers: { etag: `vnic-${call.params[0]!.slice(-12)}` } };
  }),
  route('GET', '/20160918/workRequests/{id}', 'getWorkRequest', (call, fleet) => ({
    status: 200,
    body: workRequestJson(fleet.workRequest(call.params[0]!), call.now, fleet.lifecycle),
  })),
  route('GET', '/20160918/workRequests/{id}/errors', 'listWorkRequestErrors', (call, fleet, options) => {
    const request = fleet.workRequest(call.params[0]!);
    const items = workRequestErrorsJson(request, call.now, fleet.lifecycle);
    return page(call, items, `workRequestErrors/${request.id}`, options);
  }),
  route('POST', '/20180530/instanceAgentCommands', 'createInstanceAgentCommand', (call, fleet) => {
    const body = parseBody(CommandBody, call.body);
    const command = fleet.createCommand(
      {
        compartmentId: body.compartmentId,
        instanceId: body.target.instanceId,
        script: body.content.source.text,
        timeoutSeconds: body.executionTimeOutInSeconds,
        displayName: body.displayName,
      },
      call.now,
    );
    return { status: 200, body: commandJson(command), headers: { etag: `command-${command.id.slice(-12)}` } };
  }),
  route(
    'GET',
    '/20180530/instanceAgentCommands/{id}/status',
    'getInstanceAgentCommandExecution',
    (call, fleet) => {
      const command = fleet.command(call.params[0]!);
      if (required(call, 'instanceId') !== command.instanceId) {
        throw invalid(`Command ${command.id} did not target instance ${call.query.get('instanceId')}.`);
      }
      return { status: 200, body: commandExecutionJson(command, call.now, fleet.lifecycle) };
    },
  ),
];
