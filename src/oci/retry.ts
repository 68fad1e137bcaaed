import common from 'oci-common';

/** How the SDK retries a failed call: the caller never sees a 429 or 5xx that a retry fixed. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A call with no answer after this long is abandoned (and retried). */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  requestTimeoutMs: 60_000,
};

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so many
 * workers throttled at once do not come back in step. The SDK wants seconds.
 */
class JitteredBackoff implements common.DelayStrategy {
  constructor(private readonly policy: RetryPolicy) {}

  delay(context: { attemptCount: number }): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** context.attemptCount);
    return (ceiling / 2 + (Math.random() * ceiling) / 2) / 1000;
  }
}

/**
 * Throttling (429, whatever its code) and the transient 5xx are retried. Unlike the SDK's
 * default condition, 409 IncorrectState is not: for a maintenance event it means the event
 * moved on, and retrying cannot change that. Calls that got no answer at all (timeouts, refused
 * connections) are retried by the SDK before any condition is asked.
 */
export function isRetryable(error: { statusCode: number }): boolean {
  return error.statusCode === 429 || [500, 502, 503, 504].includes(error.statusCode);
}

export function retryConfiguration(policy: RetryPolicy): common.RetryConfiguration {
  return {
    terminationStrategy: new common.MaxAttemptsTerminationStrategy(policy.maxAttempts),
    delayStrategy: new JitteredBackoff(policy),
    retryCondition: isRetryable,
  };
}

/**
 * The SDK hands `httpOptions` to every fetch() of the client. A getter gives each call its own
 * timeout signal; a plain AbortSignal.timeout() would fire once and fail every later call.
 */
export function requestTimeoutOptions(timeoutMs: number): Record<string, unknown> {
  return {
    get signal() {
      return AbortSignal.timeout(timeoutMs);
    },
  };
}
