import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { systemClock } from '../../clock.js';
import type { Clock } from '../../ports.js';
import { Faults } from '../oci/faults.js';
import { headerOf } from '../oci/headers.js';
import { Random } from '../oci/random.js';
import { Changes } from './changes.js';
import { Conversations } from './conversations.js';
import { type Delivery, SlackDriver } from './driver.js';
import { SlackApiError } from './errors.js';
import { parseBody, readBody, reply } from './http.js';
import { TsSource } from './ids.js';
import { METHODS, type MethodContext } from './methods.js';
import { ChannelPage } from './page/routes.js';
import { type RateLimit, RateLimiter } from './rate-limits.js';
import { RESPONSE_PATH, ResponseUrls } from './response-urls.js';
import { SocketModeServer } from './socket-mode.js';
import { Surfaces } from './views.js';
import { SlackWorkspace } from './workspace.js';

export interface SlackSimulatorOptions {
  workspace?: z.input<typeof SlackWorkspace>;
  /** Drives message ts, trigger expiry and the rate-limit buckets. */
  clock?: Clock;
  /** Seeds the random faults. */
  seed?: number | string;
  /** Per method: a limit other than Slack's published one, or null for none. */
  rateLimits?: Record<string, RateLimit | null>;
  /** How long a call hit by a `timeout` fault is held before its connection is dropped. */
  timeoutHoldMs?: number;
}

/** One Web API call (or response_url POST) as the simulator answered it. */
export interface CallRecord {
  at: string;
  method: string;
  /** The arguments as read, without the token. */
  args: Record<string, unknown>;
  /** HTTP status; 0 when the simulator never answered (a `timeout` or `drop` fault). */
  status: number;
  ok: boolean;
  error?: string;
  retryAfter?: number;
  /** The injected fault that decided the answer, if one did. */
  fault?: string;
}

const API_PATH = '/api/';
export const SIM_PATH = '/_sim/';
const MAX_RECORDED_CALLS = 100_000;

/**
 * A loopback Slack: the Web API methods Pitstop calls (at `apiUrl`, for WebClient's
 * `slackApiUrl`), Socket Mode, response_urls, and a workspace whose channels, threads, ephemeral
 * messages and views tests read back here or over `/_sim/` JSON routes. Tokens, Block Kit limits
 * and rate limits are enforced as Slack enforces them; faults can be injected per method.
 */
export class SlackSimulator {
  readonly workspace: SlackWorkspace;
  readonly conversations: Conversations;
  readonly surfaces: Surfaces;
  readonly rateLimits: RateLimiter;
  readonly faults: Faults;
  readonly socketMode: SocketModeServer;
  /** Every change to messages, modals and Home views, as it happens (the channel page follows it). */
  readonly changes = new Changes();
  /** Every call in arrival order. */
  readonly calls: CallRecord[] = [];
  private readonly responseUrls: ResponseUrls;
  private readonly clock: Clock;
  private readonly server: Server;
  private readonly listeners = new Set<(call: CallRecord) => void>();
  private readonly page: ChannelPage;
  private attached: SlackDriver | undefined;
  private outageUntil = 0;
  private outageStatus = 503;

  constructor(private readonly options: SlackSimulatorOptions = {}) {
    this.workspace = SlackWorkspace.parse(options.workspace ?? {});
    this.clock = options.clock ?? systemClock;
    this.conversations = new Conversations(this.workspace, new TsSource(this.clock), this.changes);
    this.surfaces = new Surfaces(this.workspace, this.clock, this.changes);
    this.rateLimits = new RateLimiter(options.rateLimits);
    this.faults = new Faults(new Random(options.seed ?? 1));
    this.socketMode = new SocketModeServer(this.workspace.app.id);
    this.responseUrls = new ResponseUrls(this.conversations, this.clock);
    this.page = new ChannelPage(this);
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.on('upgrade', (req, socket, head) => this.socketMode.handleUpgrade(req, socket, head));
  }

  /** `http://127.0.0.1:<port>` */
  get baseUrl(): string {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error('the Slack simulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The Web API base URL, for WebClient's `slackApiUrl` and SLACK_API_URL (ends in `/api/`). */
  get apiUrl(): string {
    return `${this.baseUrl}${API_PATH}`;
  }

  async start(port = 0): Promise<{ apiUrl: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return { apiUrl: this.apiUrl };
  }

  async stop(): Promise<void> {
    await this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Where the channel page delivers what its users do: the app's request URL (HTTP mode) or its
   * Socket Mode connections. Whoever starts the simulator with an app knows which.
   */
  attachApp(delivery: Delivery): SlackDriver {
    this.attached = new SlackDriver(this, delivery);
    return this.attached;
  }

  /** The driver of the attached app; undefined until attachApp. */
  get appDriver(): SlackDriver | undefined {
    return this.attached;
  }

  /** Every Web API call answers HTTP `status` (default 503) for `ms`, as when Slack is down. */
  outage(ms: number, status = 503): void {
    this.outageUntil = this.clock.now().getTime() + ms;
    this.outageStatus = status;
  }

  /** Called after every answered call; returns the unsubscribe function. */
  onCall(listener: (call: CallRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many calls of `method` were made; only those answered ok, or failing with `error`. */
  count(method: string, outcome?: 'ok' | string): number {
    return this.calls.filter(
      (c) =>
        c.method === method && (outcome === undefined || (outcome === 'ok' ? c.ok : c.error === outcome)),
    ).length;
  }

  /** A response_url for an interaction in `channel` by `user` (on the message `messageTs`). */
  responseUrl(origin: { channel: string; user: string; messageTs?: string }): string {
    return this.responseUrls.create(this.baseUrl, origin);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    try {
      if (url.pathname.startsWith(API_PATH)) {
        return await this.serveMethod(url.pathname.slice(API_PATH.length), url, req, res);
      }
      if (req.method === 'POST' && url.pathname.startsWith(RESPONSE_PATH)) {
        return await this.serveResponseUrl(url.pathname.slice(RESPONSE_PATH.length), req, res);
      }
      if (await this.page.serve(url, req, res)) return;
      if (req.method === 'GET' && url.pathname.startsWith(SIM_PATH)) return this.serveState(url, res);
      reply(res, 404, { ok: false, error: 'not_found' });
    } catch (error) {
      if (!res.headersSent) reply(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    }
  }

  private async serveMethod(
    name: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const raw = { ...Object.fromEntries(url.searchParams), ...parseBody(await readBody(req), req) };
    const { token: bodyToken, ...args } = raw;
    const call = this.record({ method: name, args });
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      call.status = status;
      call.ok = body.ok === true;
      if (typeof body.error === 'string') call.error = body.error;
      reply(res, status, body, headers);
      if (call.ok) for (const listener of this.listeners) listener(call);
    };
    const method = METHODS[name];
    if (!method) return answer(200, { ok: false, error: 'unknown_method', req_method: name });
    const token = bearer(req) ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
    if (!token) return answer(200, { ok: false, error: 'not_authed' });
    const kind =
      token === this.workspace.botToken ? 'bot' : token === this.workspace.appToken ? 'app' : undefined;
    if (!kind) return answer(200, { ok: false, error: 'invalid_auth' });
    if (kind !== method.token) return answer(200, { ok: false, error: 'not_allowed_token_type' });

    const latency = this.faults.latencyMs(name);
    if (latency > 0) await delay(latency);
    if (this.clock.now().getTime() < this.outageUntil) {
      call.fault = 'outage';
      return answer(this.outageStatus, { ok: false, error: 'service_unavailable' });
    }
    const fault = this.faults.decide(name);
    if (fault.kind !== 'none') call.fault = fault.kind;
    if (fault.kind === 'throttle') return this.rateLimited(call, answer, fault.retryAfterSeconds);
    if (fault.kind === 'error') return answer(fault.status, { ok: false, error: 'internal_error' });
    if (fault.kind === 'timeout') return this.hold(req, res);

    const retryAfter = this.rateLimits.take(
      name,
      typeof args.channel === 'string' ? args.channel : undefined,
      this.clock.now().getTime(),
    );
    if (retryAfter > 0) return this.rateLimited(call, answer, retryAfter);

    let body: Record<string, unknown>;
    const parsed = method.args.safeParse(args);
    if (!parsed.success) {
      const messages = parsed.error.issues.map(
        (issue) => `[ERROR] ${issue.message} [json-pointer:/${issue.path.join('/')}]`,
      );
      body = { ok: false, error: 'invalid_arguments', response_metadata: { messages } };
    } else {
      try {
        body = { ok: true, ...method.handle(parsed.data, this.context()) };
      } catch (error) {
        if (!(error instanceof SlackApiError)) throw error;
        body = { ok: false, error: error.error, ...error.extra };
      }
    }
    if (fault.kind === 'drop') {
      // Done, but the answer is lost: the app cannot tell this from a timeout and may send again.
      call.status = 0;
      call.ok = body.ok === true;
      res.destroy();
      return;
    }
    answer(200, body);
  }

  private rateLimited(
    call: CallRecord,
    answer: (status: number, body: Record<string, unknown>, headers: Record<string, string>) => void,
    retryAfter: number,
  ): void {
    call.retryAfter = retryAfter;
    answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
  }

  private async serveResponseUrl(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseBody(await readBody(req), req);
    const call = this.record({ method: 'response_url', args: body });
    try {
      this.responseUrls.respond(id, body);
      call.status = 200;
      call.ok = true;
      reply(res, 200, { ok: true });
      for (const listener of this.listeners) listener(call);
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      call.status = error.error === 'expired_url' ? 404 : 400;
      call.error = error.error;
      reply(res, call.status, { ok: false, error: error.error, ...error.extra });
    }
  }

  /** The simulator's own read-only JSON routes, for a test in another process and the channel page. */
  private serveState(url: URL, res: ServerResponse): void {
    try {
      const found = this.state(
        url.pathname.slice(SIM_PATH.length).split('/').filter(Boolean).map(decodeURIComponent),
      );
      if (found === undefined) reply(res, 404, { ok: false, error: 'not_found' });
      else reply(res, 200, found.value);
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      reply(res, 404, { ok: false, error: error.error });
    }
  }

  /** What a `/_sim/` path names: calls, workspace, a channel's history or thread, a user's surfaces. */
  private state(parts: string[]): { value: unknown } | undefined {
    const [kind, id, what, ts] = parts;
    const path = parts.length === 1 ? kind : `${kind}/:id/${what}${ts === undefined ? '' : '/:ts'}`;
    if (parts.length > 4 || (parts.length > 1 && !id)) return undefined;
    switch (path) {
      case 'calls':
        return { value: this.calls };
      case 'workspace': {
        const { botToken: _b, appToken: _a, signingSecret: _s, ...visible } = this.workspace;
        return { value: visible };
      }
      case 'channels/:id/history':
        return { value: this.conversations.history(id!) };
      case 'channels/:id/replies/:ts':
        return { value: this.conversations.replies(id!, ts!) };
      case 'users/:id/ephemeral':
        return { value: this.conversations.ephemeralFor(id!) };
      case 'users/:id/modal':
        return { value: this.surfaces.modal(id!) ?? null };
      case 'users/:id/home':
        return { value: this.surfaces.home(id!) ?? null };
      default:
        return undefined;
    }
  }

  private context(): MethodContext {
    return {
      workspace: this.workspace,
      conversations: this.conversations,
      surfaces: this.surfaces,
      socketModeUrl: () => this.socketMode.issueUrl(this.baseUrl),
    };
  }

  private record(call: Pick<CallRecord, 'method' | 'args'>): CallRecord {
    const record: CallRecord = { at: this.clock.now().toISOString(), ...call, status: 0, ok: false };
    this.calls.push(record);
    // A long demo must not grow without bound; tests never come near this.
    if (this.calls.length > MAX_RECORDED_CALLS) this.calls.splice(0, this.calls.length - MAX_RECORDED_CALLS);
    return record;
  }

  /** A call that never gets an answer: held, then its connection dropped. */
  private async hold(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    await Promise.race([closed, delay(this.options.timeoutHoldMs ?? 60_000)]);
    res.destroy();
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = headerOf(req.headers, 'authorization');
  const match = header && /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}
