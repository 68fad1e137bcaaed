import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../../clock.js';
import type { Clock } from '../../ports.js';
import { createCredentials, type SimCredentials, writeOciConfig } from './api-key.js';
import { OciApiError } from './errors.js';
import { Faults } from './faults.js';
import { type CommandRunner, Fleet, type MaintenanceTransition } from './fleet.js';
import { headerOf } from './headers.js';
import { Random } from './random.js';
import { type Call, type Reply, ROUTES, type Route } from './routes.js';
import type { Lifecycle, Scenario } from './scenario.js';
import { signatureProblem } from './signature.js';

export interface OciSimulatorOptions {
  scenario: Scenario;
  /** Drives the maintenance lifecycle; a ManualClock lets tests jump hours ahead. */
  clock?: Clock;
  /** Seeds ids of new resources and the random faults. */
  seed?: number | string;
  maxPageSize?: number;
  /** Overrides the scenario's stage durations (e.g. the realistic preset). */
  lifecycle?: Partial<Lifecycle>;
  /** Called (in order, one at a time) when an event's maintenance starts and ends. */
  onMaintenance?: (transition: MaintenanceTransition) => void | Promise<void>;
  commandRunner?: CommandRunner;
  /** How long a request hit by a `timeout` fault is held before its connection is dropped. */
  timeoutHoldMs?: number;
  credentials?: SimCredentials;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  /** Path and query as they arrived. */
  target: string;
  operation: string;
  /** 0 when the simulator never answered (a `timeout` or `drop` fault). */
  status: number;
  retryToken?: string;
  /** True when an opc-retry-token replayed an earlier answer instead of acting again. */
  replayed?: boolean;
  /** True when the call was carried out but its answer dropped (a `drop` fault). */
  dropped?: boolean;
}

const MAX_LOGGED_REQUESTS = 100_000;
/** Not an OCI path: the simulator's own, unsigned and not logged. */
export const REQUEST_LOG_PATH = '/_sim/requests';
/** Not an OCI path either: the calls so far by operation (`callCounts`), for a bench in another process. */
export const CALL_COUNTS_PATH = '/_sim/calls';
const USER_OCID = 'ocid1.user.oc1..aaaaaaaapitstopsimulatoruser';

/**
 * A loopback OCI: the REST paths, JSON shapes, headers, errors, request signing and pagination
 * the OCI SDK expects, over a simulated fleet. See `ROUTES` for what it serves.
 */
export class OciSimulator {
  readonly fleet: Fleet;
  readonly faults: Faults;
  /** The API key OCI accepts; `rotateKey` replaces it, as an administrator rotating it would. */
  credentials: SimCredentials;
  /** Every call, in arrival order: tests count what the adapter did with it. */
  readonly requests: RequestLogEntry[] = [];
  /** Every call by operation since the start; unlike `requests`, never trimmed. */
  private readonly calls = new Map<string, number>();
  private readonly clock: Clock;
  private readonly retryTokens = new Map<string, { fingerprint: string; reply: Reply }>();
  private readonly server: Server;
  private ticker?: NodeJS.Timeout;
  private hooks = Promise.resolve();
  readonly hookFailures: string[] = [];

  constructor(private readonly options: OciSimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    const random = new Random(options.seed ?? 1);
    this.faults = new Faults(random);
    this.credentials = options.credentials ?? createCredentials(options.scenario.tenancy.id, USER_OCID);
    this.fleet = new Fleet(
      { ...options.scenario, lifecycle: { ...options.scenario.lifecycle, ...options.lifecycle } },
      random,
      this.clock.now(),
      (transition) => this.runHook(transition),
      options.commandRunner,
    );
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  get tenancy(): string {
    return this.fleet.tenancy.id;
  }

  get endpoint(): string {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error('the OCI simulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<{ endpoint: string; tenancy: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    // Events start at their window even when nobody asks; hooks must run on time.
    this.ticker = setInterval(() => this.fleet.advance(this.clock.now()), 250).unref();
    return { endpoint: this.endpoint, tenancy: this.tenancy };
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.hooks;
  }

  /** The user's API key is replaced: config files written before now are answered 401. */
  rotateKey(): void {
    this.credentials = createCredentials(this.tenancy, this.credentials.user);
  }

  /** Writes DIR/config and DIR/key.pem for the SDK; returns the config file's path. */
  writeOciConfig(dir: string): string {
    return writeOciConfig(dir, this.credentials, this.fleet.region);
  }

  /** The calls so far by operation (whatever their answer); diff two to count what happened between. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  /** How many calls of `operation` were answered with `status` (any answer when omitted). */
  count(operation: string, status?: number): number {
    return this.requests.filter(
      (r) => r.operation === operation && (status === undefined || r.status === status),
    ).length;
  }

  private runHook(transition: MaintenanceTransition): void {
    const hook = this.options.onMaintenance;
    if (!hook) return;
    this.hooks = this.hooks
      .then(() => hook(transition))
      .catch((error: unknown) => {
        this.hookFailures.push(
          `${transition.phase} hook for ${transition.node}: ${(error as Error).message}`,
        );
      });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const [path = '/', rawQuery = ''] = splitOnce(target, '?');
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
    const operation = route?.operation ?? 'unknown';
    if (method === 'GET' && path === REQUEST_LOG_PATH) return this.serveJson(res, this.requests);
    if (method === 'GET' && path === CALL_COUNTS_PATH) return this.serveJson(res, this.callCounts());
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const retryToken = headerOf(req.headers, 'opc-retry-token');
    const entry: RequestLogEntry = {
      at: this.clock.now().toISOString(),
      method,
      target,
      operation,
      status: 0,
    };
    if (retryToken) entry.retryToken = retryToken;
    this.requests.push(entry);
    // A long demo must not grow without bound; tests never come near this.
    if (this.requests.length > MAX_LOGGED_REQUESTS)
      this.requests.splice(0, this.requests.length - MAX_LOGGED_REQUESTS);
    let reply: Reply;
    try {
      const body = await readBody(req);
      const latency = this.faults.latencyMs(operation);
      if (latency > 0) await delay(latency);
      if (!route) throw new OciApiError(404, 'NotFound', `There is no API at ${method} ${path}.`);
      const problem = signatureProblem(
        { method, rawTarget: target, headers: req.headers, body },
        this.credentials,
      );
      if (problem) {
        throw new OciApiError(
          401,
          'NotAuthenticated',
          `The required information to complete authentication was not provided or was incorrect: ${problem}.`,
        );
      }
      const fault = this.faults.decide(operation);
      if (fault.kind === 'timeout') return await this.hold(req, res);
      if (fault.kind === 'throttle') {
        throw new OciApiError(429, 'TooManyRequests', 'Too many requests for the tenancy.', {
          'retry-after': String(fault.retryAfterSeconds),
        });
      }
      if (fault.kind === 'error') {
        const code = fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError';
        throw new OciApiError(fault.status, code, 'The service is temporarily unavailable (simulated).');
      }
      const call: Call = {
        params: (route.pattern.exec(path) ?? []).slice(1).map(decodeURIComponent),
        query: parseRawQuery(rawQuery),
        headers: req.headers,
        body: body.length > 0 ? parseJson(body) : undefined,
        now: this.clock.now(),
      };
      this.fleet.advance(call.now);
      reply = this.once(route, call, body, retryToken, entry);
      if (fault.kind === 'drop') {
        // Done, but the answer never arrives: the client cannot tell this from a timeout.
        entry.dropped = true;
        res.destroy();
        return;
      }
    } catch (error) {
      reply =
        error instanceof OciApiError
          ? {
              status: error.status,
              body: { code: error.code, message: error.message },
              headers: error.headers,
            }
          : { status: 500, body: { code: 'InternalServerError', message: (error as Error).message } };
    }
    entry.status = reply.status;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'opc-request-id': randomBytes(16).toString('hex').toUpperCase(),
      ...reply.headers,
    });
    res.end(payload);
  }

  /** The request log or the call counts, for tests and benches that run the simulator as a process. */
  private serveJson(res: ServerResponse, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  /**
   * Like OCI, a retry token makes a create/update idempotent: the same token with the same
   * request answers what the first call answered and acts no second time; with a different
   * request it is a conflict. Only successful answers are remembered.
   */
  private once(
    route: Route,
    call: Call,
    body: Buffer,
    token: string | undefined,
    entry: RequestLogEntry,
  ): Reply {
    if (route.method === 'GET' || !token) return route.handle(call, this.fleet, this.routeOptions());
    const fingerprint = createHash('sha256')
      .update(`${route.method} ${entry.target}\n`)
      .update(body)
      .digest('hex');
    const earlier = this.retryTokens.get(token);
    if (earlier && earlier.fingerprint !== fingerprint) {
      throw new OciApiError(409, 'Conflict', 'The opc-retry-token was already used for a different request.');
    }
    if (earlier) {
      entry.replayed = true;
      return earlier.reply;
    }
    const reply = route.handle(call, this.fleet, this.routeOptions());
    if (reply.status < 300) this.retryTokens.set(token, { fingerprint, reply });
    return reply;
  }

  private routeOptions() {
    return { maxPageSize: this.options.maxPageSize ?? 100 };
  }

  /** A request that never gets an answer: held, then its connection dropped. */
  private async hold(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    await Promise.race([closed, delay(this.options.timeoutHoldMs ?? 60_000)]);
    res.destroy();
  }
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The SDK does not URL-encode query values, so this reads the raw query: `+` stays `+` (a form
 * decoder would turn it into a space and break page tokens) and only `%XX` escapes are decoded.
 */
export function parseRawQuery(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  for (const pair of rawQuery.split('&').filter(Boolean)) {
    const [name = '', value = ''] = splitOnce(pair, '=');
    query.set(safeDecode(name), safeDecode(value));
  }
  return query;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new OciApiError(400, 'InvalidParameter', 'The request body is not valid JSON.');
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
