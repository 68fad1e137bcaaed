import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Changes } from '../changes.js';
import type { Delivered, SlackDriver } from '../driver.js';
import { parseBody, readBody, reply } from '../http.js';

/** What the page needs of the simulator. */
export interface PageHost {
  readonly changes: Changes;
  /** The driver of the app the page's users talk to; undefined until one is attached. */
  readonly appDriver: SlackDriver | undefined;
}

const EVENTS_PATH = '/_sim/events';
const UI_PATH = '/_sim/ui/';

/** The page is loopback-only, but a body is still read whole into memory: keep it small. */
const MAX_BODY = 64 * 1024;

/** The files of the page, read once when the first simulator starts; a missing one fails loudly there. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
};
let loaded: Map<string, { type: string; body: Buffer }> | undefined;
function assets() {
  loaded ??= new Map(
    Object.entries(ASSETS).map(([path, { file, type }]) => [
      path,
      { type, body: readFileSync(new URL(file, import.meta.url)) },
    ]),
  );
  return loaded;
}

/** Nothing but the page's own files runs: no inline script, no other origin. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const UserId = z.string().regex(/^[UW][A-Z0-9]+$/);
const ChannelId = z.string().regex(/^[CG][A-Z0-9]+$/);

interface Action {
  body: z.ZodType;
  /** What Slack delivered to the app and its answer; nothing when Slack tells the app nothing. */
  run(driver: SlackDriver, args: unknown): Promise<Delivered> | undefined;
}
const action = <S extends z.ZodType>(
  body: S,
  run: (driver: SlackDriver, args: z.infer<S>) => Promise<Delivered> | undefined,
): Action => ({ body, run: run as Action['run'] });

/** What a person did on the page; each becomes, through the driver, what Slack sends the app. */
const ACTIONS = {
  click: action(
    z.object({
      user: UserId,
      channel: ChannelId,
      ts: z.string().regex(/^\d+\.\d+$/),
      actionId: z.string().min(1).max(255),
      value: z.string().max(2000).optional(),
    }),
    (driver, { user, ...target }) => driver.click(user, target),
  ),
  submit: action(
    z.object({ user: UserId, values: z.record(z.string().max(255), z.string().max(3000)) }),
    (driver, { user, values }) => driver.submitModal(user, values),
  ),
  close: action(z.object({ user: UserId }), (driver, { user }) => {
    driver.closeModal(user);
    return undefined;
  }),
  command: action(
    z.object({ user: UserId, channel: ChannelId, line: z.string().trim().startsWith('/').max(4000) }),
    (driver, { user, channel, line }) => driver.command(user, channel, line),
  ),
  home: action(z.object({ user: UserId }), (driver, { user }) => driver.openHome(user)),
};
type ActionName = keyof typeof ACTIONS;

/**
 * The channel page: its files at `/`, its live feed (server-sent events of every change) and the
 * routes that turn a person's click, modal submission, slash command or Home visit into Slack's
 * payload to the attached app. Everything else the page reads comes from the `/_sim/` JSON routes.
 */
export class ChannelPage {
  constructor(private readonly host: PageHost) {
    assets();
  }

  /** Answers the request when it is the page's; false leaves it to the simulator's other routes. */
  async serve(url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const asset = req.method === 'GET' ? assets().get(url.pathname) : undefined;
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, ...PAGE_HEADERS });
      res.end(asset.body);
      return true;
    }
    if (req.method === 'GET' && url.pathname === EVENTS_PATH) {
      this.stream(req, res);
      return true;
    }
    if (req.method === 'POST' && url.pathname.startsWith(UI_PATH)) {
      const name = url.pathname.slice(UI_PATH.length);
      if (!Object.hasOwn(ACTIONS, name)) return false;
      await this.act(name as ActionName, req, res);
      return true;
    }
    return false;
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // The first bytes tell EventSource the stream is open; the page then reads the state afresh.
    res.write(': live\n\n');
    const off = this.host.changes.on((change) => {
      res.write(`event: ${change.kind}\ndata: ${JSON.stringify(change)}\n\n`);
    });
    req.once('close', off);
  }

  private async act(name: ActionName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY);
    if (raw === undefined) return reply(res, 413, { ok: false, error: 'request_too_large' });
    const action = ACTIONS[name];
    const parsed = action.body.safeParse(parseBody(raw, req));
    if (!parsed.success) {
      return reply(res, 400, {
        ok: false,
        error: 'invalid_arguments',
        detail: z.prettifyError(parsed.error),
      });
    }
    const driver = this.host.appDriver;
    if (!driver) {
      return reply(res, 409, {
        ok: false,
        error: 'no_app',
        detail: 'no app is attached to the simulator (attachApp), so nothing would receive this',
      });
    }
    let delivered: Delivered | undefined;
    try {
      delivered = await action.run(driver, parsed.data);
    } catch (error) {
      return reply(res, 502, { ok: false, error: 'not_delivered', detail: describe(error) });
    }
    reply(res, 200, { ok: true, ...delivered });
  }
}

/** The reason a delivery failed, with its cause (fetch puts ECONNREFUSED there). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
