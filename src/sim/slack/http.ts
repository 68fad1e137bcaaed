/** The request and response plumbing the simulator's routes share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerOf } from '../oci/headers.js';

/** Form-encoded (as @slack/web-api sends) or JSON arguments; anything else reads as none. */
export function parseBody(body: Buffer, req: IncomingMessage): Record<string, unknown> {
  const type = headerOf(req.headers, 'content-type') ?? '';
  if (body.length === 0) return {};
  if (type.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString());
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body.toString()));
}

export async function readBody(req: IncomingMessage): Promise<Buffer>;
/** The body, or undefined once it grows past `max` bytes (the rest is not read). */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined>;
export async function readBody(
  req: IncomingMessage,
  max = Number.POSITIVE_INFINITY,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}
