import { createHash, type KeyObject, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { headerOf } from './headers.js';

/** What the simulator knows of the one API key it accepts. */
export interface ApiKey {
  keyId: string;
  publicKey: KeyObject;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as they arrived on the request line. */
  rawTarget: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Headers OCI requires to be signed: always these, and for bodies also the body's length/type/hash. */
const ALWAYS_SIGNED = ['(request-target)', 'host'];
const BODY_SIGNED = ['content-length', 'content-type', 'x-content-sha256'];
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Verifies an OCI request signature (draft-cavage HTTP signatures, rsa-sha256), the way the
 * SDK's DefaultRequestSigner produces it. Returns why the request is not authentic, or undefined.
 */
export function signatureProblem(request: SignedRequest, key: ApiKey, now = Date.now()): string | undefined {
  const authorization = headerOf(request.headers, 'authorization');
  if (!authorization) return 'the request is not signed (no Authorization header)';
  if (!authorization.startsWith('Signature ')) return 'the Authorization header is not an HTTP signature';
  const params = parseParams(authorization.slice('Signature '.length));
  if (params.algorithm !== 'rsa-sha256') return `unsupported signature algorithm ${params.algorithm}`;
  if (params.keyId !== key.keyId) return `unknown keyId ${params.keyId}`;
  if (!params.signature || !params.headers) return 'the signature has no headers or signature value';
  const signed = params.headers.toLowerCase().split(/\s+/);
  const required = [
    ...ALWAYS_SIGNED,
    headerOf(request.headers, 'x-date') ? 'x-date' : 'date',
    ...(['POST', 'PUT', 'PATCH'].includes(request.method) ? BODY_SIGNED : []),
  ];
  const unsigned = required.filter((name) => !signed.includes(name));
  if (unsigned.length > 0) return `required headers are not signed: ${unsigned.join(', ')}`;
  const date = Date.parse(headerOf(request.headers, 'x-date') ?? headerOf(request.headers, 'date') ?? '');
  if (Number.isNaN(date) || Math.abs(now - date) > MAX_CLOCK_SKEW_MS) {
    return 'the request date is missing or more than 5 minutes off';
  }
  if (signed.includes('x-content-sha256')) {
    const digest = createHash('sha256').update(request.body).digest('base64');
    if (digest !== headerOf(request.headers, 'x-content-sha256'))
      return 'x-content-sha256 does not match the body';
  }
  const signingString = signed
    .map((name) =>
      name === '(request-target)'
        ? `(request-target): ${request.method.toLowerCase()} ${request.rawTarget}`
        : `${name}: ${headerOf(request.headers, name) ?? ''}`,
    )
    .join('\n');
  const valid = verify(
    'sha256',
    Buffer.from(signingString),
    key.publicKey,
    Buffer.from(params.signature, 'base64'),
  );
  return valid ? undefined : 'the signature does not verify against the API key';
}

/** `version="1",keyId="…",algorithm="rsa-sha256",headers="…",signature="…"` → a record. */
function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return params;
}
