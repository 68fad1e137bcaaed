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
