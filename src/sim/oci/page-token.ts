import { createHash } from 'node:crypto';

/*
 * Page tokens are opaque and, like OCI's, contain `+`, `/` and `=`. The SDK puts them into the
 * query string without URL-encoding, so a server (or client) that decodes the query as a form
 * (`+` → space) breaks pagination; this prefix makes sure such a bug shows on the first page.
 */
const PREFIX = Buffer.from([0xfb, 0xff, 0xbf]); // base64 "+/+/"

/** `scope` ties a token to one listing (operation and filters), as OCI's tokens are. */
export function encodePageToken(offset: number, scope: string): string {
  let payload = Buffer.concat([PREFIX, Buffer.from(`${offset}:${digest(scope)}`)]);
  // A length that is not a multiple of 3 gives base64 padding, i.e. a trailing "=".
  if (payload.length % 3 === 0) payload = Buffer.concat([payload, Buffer.from(':')]);
  return payload.toString('base64');
}

/** The offset the token points at, or undefined when it is not a token of this listing. */
export function decodePageToken(token: string, scope: string): number | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(token)) return undefined;
  const payload = Buffer.from(token, 'base64');
  if (!payload.subarray(0, PREFIX.length).equals(PREFIX)) return undefined;
  const match = /^(\d+):([0-9a-f]+):?$/.exec(payload.subarray(PREFIX.length).toString());
  if (!match || match[2] !== digest(scope)) return undefined;
  return Number(match[1]);
}

const digest = (scope: string) => createHash('sha256').update(scope).digest('hex').slice(0, 12);
