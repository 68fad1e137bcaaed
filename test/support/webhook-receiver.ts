import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** What the receiver does with one request: answer, drop the connection once it read the body, or never answer. */
export type Reply = { status: number; json?: unknown; headers?: Record<string, string> } | 'drop' | 'hang';

/**
 * A ticket system's webhook on 127.0.0.1, as such systems behave: JSON in, JSON out, and an
 * `Idempotency-Key` that opens one ticket however often the same request comes (a repeat gets the
 * ticket it opened). `script` decides each request's fate (by its 0-based number); unscripted ones
 * open (or find) the ticket and answer 201 with `{ id, key, html_url }`.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Tickets opened, by idempotency key. */
  readonly tickets = new Map<string, { id: string; key: string; html_url: string; body: unknown }>();
  script: (index: number, request: Received) => Reply | undefined = () => undefined;
  private readonly hanging = new Set<IncomingMessage>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks/T000/B000/s3cr3t-token'): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        const request: Received = {
          path: req.url ?? '',
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
          contentType: req.headers['content-type'],
          body: JSON.parse(text || 'null') as unknown,
        };
        const index = receiver!.received.push(request) - 1;
        const reply = receiver!.script(index, request) ?? receiver!.open(request);
        if (reply === 'drop') {
          req.socket.destroy();
          return;
        }
        if (reply === 'hang') {
          receiver!.hanging.add(req);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    return receiver;
  }

  get origin(): string {
    return new URL(this.url).origin;
  }

  /** The ticket for this request's key: opened on its first request, found again on a repeat. */
  open(request: Received): Reply {
    const key = request.idempotencyKey ?? `no-key-${this.received.length}`;
    let ticket = this.tickets.get(key);
    if (!ticket) {
      const number = this.tickets.size + 1;
      ticket = {
        id: String(10_000 + number),
        key: `OPS-${number}`,
        html_url: `${this.origin}/browse/OPS-${number}`,
        body: request.body,
      };
      this.tickets.set(key, ticket);
    }
    return { status: 201, json: { id: ticket.id, key: ticket.key, html_url: ticket.html_url } };
  }

  async stop(): Promise<void> {
    for (const req of this.hanging) req.socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
