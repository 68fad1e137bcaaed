import { retryAfterMs } from '../oci/http-client.js';
import { formatDuration } from '../poll.js';
import type { Clock, ProgressReporter } from '../ports.js';

/** How one webhook call is retried. */
export interface PostOptions {
  /** Sent as `Idempotency-Key` on every attempt: the receiver can tell a retry from a new request. */
  idempotencyKey: string;
  clock: Clock;
  /** No attempt starts after this; the last error is thrown. */
  deadline: Date;
  /** One attempt with no answer after this long is abandoned and retried. */
  attemptTimeoutMs?: number;
  /** First pause between attempts; it doubles up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** The first failure of a run of retries, in words (the origin only, never the full URL). */
  onRetry?: ProgressReporter;
  signal?: AbortSignal;
}

export interface WebhookAnswer {
  status: number;
  /** The answer's JSON, or undefined when it sent none (or none that parses). */
  body: unknown;
}

/** A webhook that failed for good: a 4xx that retrying cannot change, or its deadline passed. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

const ATTEMPT_TIMEOUT_MS = 30_000;
const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** A Retry-After longer than this is not waited for in full: the deadline decides, not the receiver. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * A URL may carry its secret in the path (Slack-style `/T…/B…/secret`) or the query (`?token=`):
 * only the origin is ever logged or said.
 */
export const originOf = (url: string): string => new URL(url).origin;

/** Worth another attempt: the receiver may heal (5xx), asked us to slow down (429), or timed out (408). */
const mayHeal = (status: number) => status >= 500 || status === 408 || status === 429;

type Attempt = { answer: WebhookAnswer } | { retry: string; waitMs?: number };

async function attempt(url: string, body: string, options: PostOptions): Promise<Attempt> {
  const origin = originOf(url);
  // The per-attempt timeout is real time, as the OCI client's is: it bounds a socket, not a schedule.
  const timeout = AbortSignal.timeout(options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'idempotency-key': options.idempotencyKey,
      },
      body,
      signal,
      // A redirect is answered as it is (3xx: permanent), never followed with the payload elsewhere.
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const why = timeout.aborted
      ? `no answer within ${formatDuration(options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS)}`
      : networkProblem(error);
    return { retry: `${origin} could not be reached (${why})` };
  }
  if (response.ok) return { answer: { status: response.status, body: parseJson(text) } };
  const said = `${origin} answered ${response.status}${summary(text)}`;
  if (!mayHeal(response.status)) {
    throw new WebhookError(`${said}; not retried (the receiver refuses this request as it is)`);
  }
  const asked = retryAfterMs(response.headers.get('retry-after'), options.clock.now().getTime());
  return { retry: said, waitMs: asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS) };
}

/** The cause fetch hides under "fetch failed" (ECONNREFUSED, a reset socket). */
function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The start of an error answer, for the operator (receivers often say what they refused). */
const summary = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line ? `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}` : '';
};

/**
 * POSTs `payload` as JSON until the receiver takes it (2xx), retrying with back-off on the injected
 * clock after a network error, a timeout, a 5xx, a 408 or a 429 (waiting what Retry-After asks, up
 * to 5 minutes) until the deadline. Any other 4xx is permanent. Every attempt carries the same
 * Idempotency-Key, so a receiver that honours it opens one ticket however often we retry. Errors
 * and reports name the URL's origin only: its path or query may hold a secret.
 */
export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<WebhookAnswer> {
  const { clock } = options;
  const body = JSON.stringify(payload);
  let backoff = options.initialBackoffMs ?? INITIAL_BACKOFF_MS;
  const maxBackoff = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  let failures = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const result = await attempt(url, body, options);
    if ('answer' in result) return result.answer;
    failures += 1;
    const left = options.deadline.getTime() - clock.now().getTime();
    if (left <= 0) {
      throw new WebhookError(`gave up after ${failures} attempts; the last: ${result.retry}`);
    }
    const wait = Math.min(result.waitMs ?? jittered(backoff), left);
    if (failures === 1) {
      options.onRetry?.(
        `${result.retry}; retrying with back-off until ${options.deadline.toISOString()} (same Idempotency-Key)`,
      );
    }
    await clock.sleep(wait, options.signal);
    backoff = Math.min(backoff * 2, maxBackoff);
  }
}

/** Half fixed, half random: many jobs failing at once do not come back in step. */
const jittered = (ms: number) => ms / 2 + (Math.random() * ms) / 2;
