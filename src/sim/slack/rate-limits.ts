/**
 * Slack's rate limits as token buckets, "per method per workspace per app" (docs.slack.dev/apis/
 * web-api/rate-limits): a bucket holds `burst` calls and refills at `perMinute`. chat.postMessage
 * is the special case, one message a second per channel with short bursts. Slack publishes the
 * rates as minimums ("50+ per minute") and the bursts not at all; the numbers below are the
 * published rates with modest bursts, and tests and benches set their own.
 */
export interface RateLimit {
  perMinute: number;
  burst: number;
  /** One bucket per channel (the `channel` argument) instead of one per method. */
  perChannel?: boolean;
}

export const TIER_1: RateLimit = { perMinute: 1, burst: 5 };
export const TIER_2: RateLimit = { perMinute: 20, burst: 10 };
export const TIER_3: RateLimit = { perMinute: 50, burst: 15 };
export const TIER_4: RateLimit = { perMinute: 100, burst: 25 };
/** "1 per second. Short bursts >1 allowed." */
export const POST_MESSAGE: RateLimit = { perMinute: 60, burst: 3, perChannel: true };

export const DEFAULT_RATE_LIMITS: Record<string, RateLimit> = {
  'auth.test': TIER_4,
  'chat.postMessage': POST_MESSAGE,
  'chat.update': TIER_3,
  'chat.postEphemeral': TIER_4,
  'views.open': TIER_4,
  'views.publish': TIER_4,
  'usergroups.users.list': TIER_2,
  'conversations.info': TIER_3,
  'users.info': TIER_4,
  'apps.connections.open': TIER_1,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one call from its bucket, or says how many seconds until the bucket has one again. */
export class RateLimiter {
  private readonly limits: Map<string, RateLimit | null>;
  private readonly buckets = new Map<string, Bucket>();

  constructor(overrides: Record<string, RateLimit | null> = {}) {
    this.limits = new Map(Object.entries({ ...DEFAULT_RATE_LIMITS, ...overrides }));
  }

  /** A new limit for `method` (null: unlimited), starting from a full bucket. */
  set(method: string, limit: RateLimit | null): void {
    this.limits.set(method, limit);
    for (const key of this.buckets.keys()) if (key.split(' ')[0] === method) this.buckets.delete(key);
  }

  limitOf(method: string): RateLimit | null {
    return this.limits.get(method) ?? null;
  }

  /** 0 when the call may go ahead (and is counted), else the Retry-After in whole seconds (≥ 1). */
  take(method: string, channel: string | undefined, nowMs: number): number {
    const limit = this.limitOf(method);
    if (!limit) return 0;
    const key = limit.perChannel ? `${method} ${channel ?? ''}` : method;
    const ratePerMs = limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: nowMs };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (nowMs - bucket.at) * ratePerMs);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  }
}
