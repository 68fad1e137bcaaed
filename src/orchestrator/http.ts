import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IllegalTransitionError } from '../domain/job.js';
import type { Logger } from '../log.js';
import type { Orchestrator } from '../orchestrator.js';
import { CONTROL_PATHS, type ControlReply, ControlRequest, jobReply } from './control.js';
import { JobRefError } from './resolve-ref.js';

const MAX_BODY_BYTES = 16 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Ready means started and the last discovery worked: a failing OCI or Slurm shows as 503. A
 * partial sweep (a compartment it may not read) is still 200: the status lists it in `degraded`.
 */
export function isHealthy(status: ReturnType<Orchestrator['status']>): boolean {
  return status.started && status.lastSweep?.ok === true;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/** A refused decision says why with a status the CLI can show; anything else is a server error. */
function refusal(error: unknown): { status: number; reply: ControlReply } | undefined {
  if (error instanceof JobRefError) return { status: 404, reply: { ok: false, error: error.message } };
  if (error instanceof IllegalTransitionError)
    return { status: 409, reply: { ok: false, error: error.message } };
  return undefined;
}

async function control(orchestrator: Orchestrator, decision: 'approve' | 'deny', req: IncomingMessage) {
  let body: ControlRequest;
  try {
    const parsed = ControlRequest.safeParse(await readJson(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return {
        status: 400,
        reply: { ok: false, error: `${issue.path.join('.')}: ${issue.message}` } as ControlReply,
      };
    }
    body = parsed.data;
  } catch (error) {
    return {
      status: 400,
      reply: { ok: false, error: `not a JSON body (${(error as Error).message})` } as ControlReply,
    };
  }
  const { ref, by, reason = '' } = body;
  try {
    const job =
      decision === 'approve'
        ? await orchestrator.approve(ref, by, 'cli')
        : await orchestrator.deny(ref, by, 'cli', reason);
    return { status: 200, reply: jobReply(job) };
  } catch (error) {
    const refused = refusal(error);
    if (refused) return refused;
    throw error;
  }
}

/**
 * GET /healthz for probes (any interface), and POST /control/approve|deny for `pitstop approve|deny`
 * while `serve` holds the state file's lock. Control answers only loopback peers: there is no
 * other authentication, so only someone on the host itself may decide.
 */
export function controlServer(orchestrator: Orchestrator, log: Logger): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handle = async () => {
      if (req.method === 'GET' && path === '/healthz') {
        const status = orchestrator.status();
        return send(res, isHealthy(status) ? 200 : 503, status);
      }
      const decision =
        path === CONTROL_PATHS.approve ? 'approve' : path === CONTROL_PATHS.deny ? 'deny' : undefined;
      if (!decision) return send(res, 404, { ok: false, error: `no route ${req.method} ${path}` });
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: `${path} takes POST` });
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
        return send(res, 403, {
          ok: false,
          error: 'decisions are taken only from the host itself (127.0.0.1)',
        });
      }
      const { status, reply } = await control(orchestrator, decision, req);
      log.info({ component: 'control', path, status }, `control ${decision}: ${status}`);
      return send(res, status, reply);
    };
    handle().catch((error: unknown) => {
      log.error({ component: 'control', path, err: error }, 'control request failed');
      if (!res.headersSent) send(res, 500, { ok: false, error: (error as Error).message });
    });
  });
}

/** Listens on `port` (0: any free one); resolves with the port once listening. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
