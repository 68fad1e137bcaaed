import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';

export const SOCKET_PATH = '/link/';
/** Slack waits 3 seconds for an acknowledgement before it treats a delivery as failed. */
export const ACK_TIMEOUT_MS = 3_000;
const PING_INTERVAL_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface EnvelopeOptions {
  /** events_api only: the delivery attempt Slack is on (1 for the first retry) and why. */
  retryAttempt?: number;
  retryReason?: string;
  timeoutMs?: number;
}

const Ack = z.object({ envelope_id: z.string(), payload: z.unknown().optional() });

interface Pending {
  resolve(payload: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Slack's side of Socket Mode: apps.connections.open hands out a one-time `ticket` URL; the app
 * opens a websocket there and is greeted with `hello`; events go to it as envelopes and come back
 * acknowledged by `{envelope_id, payload?}`. Several connections share the work, as Slack spreads
 * an app's events over all of them.
 */
export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly open: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly waiting: (() => void)[] = [];
  private next = 0;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly appId: string) {
    this.pinger = setInterval(() => {
      for (const socket of this.open) socket.ping(`ping from the Slack simulator ${Date.now()}`);
    }, PING_INTERVAL_MS).unref();
  }

  get connections(): number {
    return this.open.length;
  }

  /** A URL for apps.connections.open: `ws://…/link/?ticket=…`, good for one connection. */
  issueUrl(base: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${base.replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Upgrades a request on the socket path that carries a ticket not yet used; refuses others. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /**
   * Sends one envelope to one connection (in turn), waiting up to `timeoutMs` for a connection
   * and then for the app's ack; resolves with the ack's payload.
   */
  async send(type: EnvelopeType, payload: unknown, options: EnvelopeOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? ACK_TIMEOUT_MS;
    const socket = await this.connection(timeoutMs);
    const envelopeId = randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(options.retryAttempt === undefined
        ? {}
        : { retry_attempt: options.retryAttempt, retry_reason: options.retryReason ?? 'timeout' }),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(
          new Error(`the app did not acknowledge the ${type} envelope ${envelopeId} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer });
      socket.send(JSON.stringify(envelope));
    });
  }

  /** Asks every connection to reconnect, as Slack does before it recycles a server. */
  refresh(reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested'): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-simulator' } });
    for (const socket of this.open) socket.send(message);
  }

  /** Closes every connection with "going away" (1001), forcing those that do not close within 1 s. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the Slack simulator stopped'));
    }
    this.pending.clear();
    const sockets = [...this.open];
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
            socket.once('close', () => {
              clearTimeout(force);
              resolve();
            });
            socket.close(1001, 'the Slack simulator stopped');
          }),
      ),
    );
    this.wss.close();
  }

  private accept(socket: WebSocket): void {
    this.open.push(socket);
    socket.on('message', (data) => this.onAck(String(data)));
    socket.on('close', () => this.open.splice(this.open.indexOf(socket), 1));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.length,
        debug_info: { host: 'applink-simulator', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const wake of this.waiting.splice(0)) wake();
  }

  private onAck(text: string): void {
    let ack: z.infer<typeof Ack>;
    try {
      ack = Ack.parse(JSON.parse(text));
    } catch {
      return; // Slack ignores what is not an ack.
    }
    const pending = this.pending.get(ack.envelope_id);
    if (!pending) return;
    this.pending.delete(ack.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve(ack.payload ?? {});
  }

  private async connection(timeoutMs: number): Promise<WebSocket> {
    if (this.open.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const socket = this.open[this.next++ % this.open.length];
    if (!socket) throw new Error('no Socket Mode connection');
    return socket;
  }
}
