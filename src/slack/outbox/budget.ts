/**
 * What the outbox allows itself per method (and, for chat.postMessage, per channel), a little
 * under Slack's published limits (docs.slack.dev/apis/web-api/rate-limits): Slack publishes its
 * rates as minimums and its bursts not at all, and a 429 costs more than a short wait.
 */
export interface Budget {
  perMinute: number;
  burst: number;
  /** One budget per channel (chat.postMessage: "1 per second per channel, short bursts allowed"). */
  perChannel?: boolean;
}

export const DEFAULT_BUDGETS: Record<string, Budget> = {
  'chat.postMessage': { perMinute: 60, burst: 2, perChannel: true },
  /** Tier 3: 50+ per minute. */
  'chat.update': { perMinute: 45, burst: 5 },
  /** Tier 4: 100+ per minute. */
  'chat.postEphemeral': { perMinute: 90, burst: 10 },
  'views.publish': { perMinute: 90, burst: 10 },
};

interface Bucket {
  tokens: number;
  at: number;
  /** Slack answered 429: nothing goes on this key before then. */
  blockedUntil: number;
}

/** Token buckets keyed by method (and channel); all times in ms on the outbox's clock. */
export class Budgets {
  private readonly budgets: Record<string, Budget>;
  private readonly buckets = new Map<string, Bucket>();

  constructor(overrides: Record<string, Budget> = {}) {
    this.budgets = { ...DEFAULT_BUDGETS, ...overrides };
  }

  /** The bucket a call of `method` to `channel` draws from. */
  key(method: string, channel?: string): string {
    return this.budgets[method]?.perChannel ? `${method} ${channel ?? ''}` : method;
  }

  /** How long until one more call may go on `key` (0: now). */
  waitMs(key: string, now: number): number {
    const budget = this.budgetOf(key);
    const bucket = this.refilled(key, now);
    const blocked = Math.max(0, bucket.blockedUntil - now);
    if (!budget || bucket.tokens >= 1) return blocked;
    return Math.max(blocked, Math.ceil((1 - bucket.tokens) / (budget.perMinute / 60_000)));
  }

  take(key: string, now: number): void {
    const bucket = this.refilled(key, now);
    if (this.budgetOf(key)) bucket.tokens -= 1;
  }

  /** Slack said 429 with Retry-After: the key waits that long, and starts again from an empty bucket. */
  block(key: string, untilMs: number, now: number): void {
    const bucket = this.refilled(key, now);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, untilMs);
    bucket.tokens = Math.min(bucket.tokens, 0);
  }

  private budgetOf(key: string): Budget | undefined {
    return this.budgets[key.split(' ')[0]!];
  }

  private refilled(key: string, now: number): Bucket {
    const budget = this.budgetOf(key);
    const bucket = this.buckets.get(key) ?? { tokens: budget?.burst ?? 0, at: now, blockedUntil: 0 };
    if (budget) {
      bucket.tokens = Math.min(budget.burst, bucket.tokens + ((now - bucket.at) * budget.perMinute) / 60_000);
    }
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}
