import { setTimeout as delay } from 'node:timers/promises';
import common from 'oci-common';

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined when absent. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Signs as `inner` does, then leaves Content-Length to fetch. The SDK sets it to sign it, and
 * fetch appends its own: `76, 76`. Node's bundled undici reads that as 76, but once a newer
 * undici is loaded (Bolt's Socket Mode brings one, which becomes fetch's global dispatcher) the
 * request is refused before it leaves ("invalid content-length header"). Fetch sends the same
 * length, so the signature still holds.
 */
export class FetchContentLengthSigner implements common.RequestSigner {
  constructor(private readonly inner: common.RequestSigner) {}

  signHttpRequest(request: common.HttpRequest, forceExcludeBody?: boolean): void | Promise<void> {
    const signed = this.inner.signHttpRequest(request, forceExcludeBody) as void | Promise<void>;
    const drop = () => request.headers.delete('content-length');
    if (signed instanceof Promise) return signed.then(drop);
    drop();
  }
}

/**
 * The SDK's retrier only sees the error, never the response headers, so it cannot honour
 * Retry-After. This client waits what OCI asked for (at most `maxWaitMs`) before it hands the
 * 429 on; the retrier's own back-off then comes on top.
 */
export class RetryAfterHttpClient extends common.FetchHttpClient {
  constructor(
    signer: common.RequestSigner,
    httpOptions: Record<string, unknown>,
    private readonly maxWaitMs: number,
  ) {
    super(signer, null, httpOptions);
  }

  override async send(...args: Parameters<common.FetchHttpClient['send']>): Promise<Response> {
    const response = await super.send(...args);
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get('retry-after'));
      if (wait) await delay(Math.min(wait, this.maxWaitMs));
    }
    return response;
  }
}
