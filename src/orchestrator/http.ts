import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { IllegalTransitionError } from '../domain/job.js';
import type { Logger } from '../log.js';
import type { Orchestrator } from '../orchestrator.js';
import {
  CONTROL_PATHS,
  type ControlDecision,
  type ControlReply,
  ControlRequest,
  decisionOf,
  jobReply,
  PAUSE_PATHS,
  type PauseReply,
  PauseRequest,
  TERMINATE_PATH,
} from './control.js';
import { JobRefError } from './resolve-ref.js';

const MAX_BODY_BYTES = 16 * 1024;

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

/** Who asked, as the audit log and the thread show it. */
const viaControlSocket = (by: string) => `${by} via control socket`;

/** The request's JSON body through `schema`, or the 400 answer saying what is wrong with it. */
async function bodyOf<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
): Promise<{ body: z.output<S> } | { status: 400; reply: { ok: false; error: string } }> {
  try {
    const parsed = schema.safeParse(await readJson(req));
    if (parsed.success) return { body: parsed.data };
    const issue = parsed.error.issues[0]!;
    return { status: 400, reply: { ok: false, error: `${issue.path.join('.')}: ${issue.message}` } };
  } catch (error) {
    return { status: 400, reply: { ok: false, error: `not a JSON body (${(error as Error).message})` } };
  }
}

async function control(
  orchestrator: Orchestrator,
  decision: ControlDecision,
  req: IncomingMessage,
): Promise<{ status: number; reply: ControlReply; by?: string }> {
  const parsed = await bodyOf(req, ControlRequest);
  if (!('body' in parsed)) return parsed;
  const body = parsed.body;
  const by = viaControlSocket(body.by);
  try {
    const job = await orchestrator.takeDecision(body.ref, decisionOf(decision, { ...body, by }, 'cli'));
    return { status: 200, reply: jobReply(job), by };
  } catch (error) {
    const refused = refusal(error);
    if (refused) return { ...refused, by };
    throw error;
  }
}

/** Pause or unpause through the orchestrator, so a pause takes effect (and an unpause pumps) at once. */
async function pauseControl(
  orchestrator: Orchestrator,
  action: keyof typeof PAUSE_PATHS,
  req: IncomingMessage,
): Promise<{ status: number; reply: PauseReply; by?: string }> {
  const parsed = await bodyOf(req, PauseRequest);
  if (!('body' in parsed)) return parsed;
  const by = viaControlSocket(parsed.body.by);
  if (action === 'pause') {
    return { status: 200, reply: { ok: true, paused: await orchestrator.pause(by, parsed.body.reason) }, by };
  }
  if (orchestrator.paused()) await orchestrator.unpause(by);
  return { status: 200, reply: { ok: true, paused: null }, by };
}

/**
 * `pitstop terminate` through serve: the identity is the `by` sent, unchanged, so the same person
 * asking through the socket and without a serve counts once under the two-person rule.
 */
async function terminateControl(orchestrator: Orchestrator, req: IncomingMessage) {
  const parsed = await bodyOf(req, ControlRequest);
  if (!('body' in parsed)) {
    return { status: 400, reply: { ok: false, message: parsed.reply.error }, by: undefined };
  }
  const { ref, by } = parsed.body;
  try {
    const reply = await orchestrator.terminate(ref, by, 'cli');
    return { status: reply.ok ? 200 : 409, reply, by };
  } catch (error) {
    // Answered in the shape the CLI reads, so the operator sees what failed rather than a bad reply.
    const message = `pitstop serve could not handle the request (${(error as Error).message}); see its log. Nothing more than its audit log says was done.`;
    return { status: 500, reply: { ok: false, message }, by };
  }
}

const isJson = (req: IncomingMessage) =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';

/** Serves `route`'s answer; a failure is logged and answered 500. */
function serveWith(
  log: Logger,
  route: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> | void,
): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    Promise.resolve()
      .then(() => route(req, res, path))
      .catch((error: unknown) => {
        log.error({ component: 'http', path, err: error }, 'request failed');
        if (!res.headersSent) send(res, 500, { ok: false, error: (error as Error).message });
      });
  });
}

const noRoute = (req: IncomingMessage, res: ServerResponse, path: string) =>
  send(res, 404, { ok: false, error: `no route ${req.method} ${path}` });

/**
 * PORT: GET /healthz for probes, on every interface, and nothing else. Decisions never come in
 * here (see controlServer), so opening PORT to Slack or a load balancer cannot reach them.
 */
export function healthServer(orchestrator: Orchestrator, log: Logger): Server {
  return serveWith(log, (req, res, path) => {
    if (req.method !== 'GET' || path !== HEALTHZ_PATH) return noRoute(req, res, path);
    return answerHealthz(orchestrator, res);
  });
}

export const HEALTHZ_PATH = '/healthz';

/** GET /healthz's answer, also served beside Bolt's /slack/events when Slack takes PORT (HTTP mode). */
export function answerHealthz(orchestrator: Orchestrator, res: ServerResponse): void {
  const status = orchestrator.status();
  send(res, isHealthy(status) ? 200 : 503, status);
}

/**
 * POST /control/approve|deny|proceed|leave-to-oci|pause|unpause|terminate for the CLI's commands, served only on the control socket
 * beside the state file (mode 0600): only this host's user who may read the state can decide.
 * JSON only, so a browser's cross-site form post cannot pass. The caller (the `by` it sent, via
 * the control socket) is in the log, the thread and the audit trail.
 */
export function controlServer(orchestrator: Orchestrator, log: Logger): Server {
  return serveWith(log, async (req, res, path) => {
    const decision = (Object.keys(CONTROL_PATHS) as ControlDecision[]).find((d) => CONTROL_PATHS[d] === path);
    const pausing =
      path === PAUSE_PATHS.pause ? 'pause' : path === PAUSE_PATHS.unpause ? 'unpause' : undefined;
    const terminating = path === TERMINATE_PATH;
    if (!decision && !pausing && !terminating) return noRoute(req, res, path);
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: `${path} takes POST` });
    if (!isJson(req)) {
      return send(res, 415, { ok: false, error: `${path} takes Content-Type: application/json` });
    }
    const { status, reply, by } = decision
      ? await control(orchestrator, decision, req)
      : pausing
        ? await pauseControl(orchestrator, pausing, req)
        : await terminateControl(orchestrator, req);
    log.info(
      { component: 'control', path, status, by },
      `control ${decision ?? pausing ?? 'terminate'}: ${status}`,
    );
    return send(res, status, reply);
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
