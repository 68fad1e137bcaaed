import type { types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.js';
import type { Clock, Store } from '../../ports.js';
import { type Budget, Budgets } from './budget.js';
import { classify } from './failure.js';
import { OutboxJournal } from './journal.js';
import {
  type EventFacts,
  type JournalRecord,
  type OutboxEntry,
  OutboxMessage,
  type PostedMessage,
} from './messages.js';

export interface OutboxOptions {
  /** The Web API client, built with `rejectRateLimitedCalls: true` and no retries: the outbox owns both. */
  client: WebClient;
  /** The journal, beside the state file (`<STATE_FILE>.outbox`). */
  file: string;
  /** Where the jobs keep their message (`slack`), read at send time and written when announced. */
  store: Pick<Store, 'get' | 'annotate'>;
  /** Paces the sends; the Slack simulator in tests runs on the same one. */
  clock: Clock;
  log: Logger;
  /** Per method, instead of DEFAULT_BUDGETS. */
  budgets?: Record<string, Budget>;
  compactAtBytes?: number;
}

export interface OutboxStats {
  /** Entries waiting (or in flight). */
  queued: number;
  /** Calls Slack accepted, per method. */
  sent: Record<string, number>;
  /** Answers 429 (each waited out, then sent again). */
  rateLimited: number;
  /** Updates of one message (or Home tab) replaced by a newer one before they were sent. */
  coalesced: number;
  /** Entries Slack refused for good, or with no message of their job to go to. */
  dropped: number;
  /** Calls that failed for a while (Slack down, a timeout): sent again after a back-off. */
  retried: number;
}

/** How long everything waits after a call that may heal (5xx, timeout, no connection): doubling, capped. */
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** A Slack call that hangs holds up every message behind it; WebClient's own default is no timeout. */
export const CALL_TIMEOUT_MS = 10_000;
/** Where this many jobs' messages are kept across a compaction: enough for every live job and a late line. */
const POSTED_KEPT = 2_000;

type Target = { method: string; channel?: string; ts?: string };

const jobIdOf = (message: OutboxMessage) => ('jobId' in message ? message.jobId : undefined);

/** Entries of one lane go in order; lanes pass each other while one waits for its budget. */
function laneOf(message: OutboxMessage): string {
  switch (message.kind) {
    case 'announce':
    case 'reply':
      return `thread ${message.jobId}`;
    case 'update':
      return `update ${message.jobId}`;
    case 'post':
      return `post ${message.channel}`;
    case 'ephemeral':
      return `ephemeral ${message.user}`;
    case 'home':
      return `home ${message.user}`;
  }
}

/** Only the newest content of these matters, so a newer one replaces one still waiting. */
const coalesces = (message: OutboxMessage) => message.kind === 'update' || message.kind === 'home';

/**
 * Every chat.postMessage, chat.update, chat.postEphemeral and views.publish Pitstop makes. `enqueue`
 * resolves once the entry is in the journal (fsynced), so the pipeline never waits on Slack and a
 * restart or an outage loses nothing; one loop sends, within per-channel and per-method budgets,
 * waits out each 429's Retry-After, backs off while Slack fails, keeps each thread's replies in
 * order and sends only the newest pending update of a message. An entry is marked done after Slack
 * accepted it, so it is sent twice only if the process died, or Slack's answer was lost, while it
 * was in flight.
 */
export class Outbox {
  private readonly budgets: Budgets;
  private readonly posted: Map<string, PostedMessage>;
  /** Channel names as given → the ids Slack answered with, so both draw on one budget. */
  private readonly channelIds = new Map<string, string>();
  private pending: OutboxEntry[];
  private nextSeq: number;
  private inFlight: OutboxEntry | undefined;
  private pausedUntil = 0;
  private failures = 0;
  private waker: AbortController | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counts: Omit<OutboxStats, 'queued'> = {
    sent: {},
    rateLimited: 0,
    coalesced: 0,
    dropped: 0,
    retried: 0,
  };

  private constructor(
    private readonly options: OutboxOptions,
    private readonly journal: OutboxJournal,
    state: { entries: OutboxEntry[]; posted: Map<string, PostedMessage> },
  ) {
    this.budgets = new Budgets(options.budgets);
    this.pending = state.entries;
    this.posted = state.posted;
    this.nextSeq = (state.entries.at(-1)?.seq ?? -1) + 1;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    let outbox: Outbox | undefined;
    const { journal, state, warning } = await OutboxJournal.open(
      options.file,
      () => outbox!.snapshot(),
      options.compactAtBytes,
    );
    if (warning) options.log.warn({ component: 'slack-outbox' }, warning);
    outbox = new Outbox(options, journal, state);
    if (state.entries.length > 0) {
      options.log.info(
        { component: 'slack-outbox', queued: state.entries.length },
        `${state.entries.length} Slack messages from before the restart are still to send`,
      );
    }
    return outbox;
  }

  /** Starts the sending loop. */
  start(): void {
    this.running ??= this.run();
  }

  /** Durable when it resolves; sent later, in the background. */
  async enqueue(input: OutboxMessage): Promise<void> {
    const message = OutboxMessage.parse(input);
    const records: JournalRecord[] = [];
    if (coalesces(message)) {
      const lane = laneOf(message);
      const older = this.pending.find((e) => e !== this.inFlight && laneOf(e.message) === lane);
      if (older) {
        this.pending = this.pending.filter((e) => e !== older);
        records.push({ done: older.seq });
        this.counts.coalesced++;
      }
    }
    const entry: OutboxEntry = { seq: this.nextSeq++, at: this.options.clock.now().toISOString(), message };
    this.pending.push(entry);
    records.push({ add: entry });
    this.wake();
    await this.journal.write(records);
  }

  /** Where the job's event message is, once Slack took it. */
  messageOf(jobId: string): PostedMessage | undefined {
    return this.posted.get(jobId);
  }

  /** True once the job's event message is queued or posted: it is never queued twice. */
  announced(jobId: string): boolean {
    return (
      this.posted.has(jobId) ||
      this.pending.some((e) => e.message.kind === 'announce' && e.message.jobId === jobId)
    );
  }

  /** The facts the job's event message shows, from its announcement (queued or posted). */
  factsOf(jobId: string): EventFacts | undefined {
    const queued = this.pending.find((e) => e.message.kind === 'announce' && e.message.jobId === jobId);
    return queued?.message.kind === 'announce' ? queued.message.facts : this.posted.get(jobId)?.facts;
  }

  stats(): OutboxStats {
    return { queued: this.pending.length, ...structuredClone(this.counts) };
  }

  /** Resolves once nothing is left to send. */
  idle(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Finishes the call in flight and closes the journal; what is left is sent after the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await this.journal.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const now = this.options.clock.now().getTime();
      const next = this.next(now);
      if ('entry' in next) {
        await this.send(next.entry, next.target);
        continue;
      }
      if (this.pending.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      await this.waitFor(next.waitMs);
    }
  }

  /** The oldest entry at the head of its lane whose budget allows it now, or how long until one may. */
  private next(now: number): { entry: OutboxEntry; target: Target } | { waitMs: number } {
    if (now < this.pausedUntil) return { waitMs: this.pausedUntil - now };
    const lanes = new Set<string>();
    let waitMs = Number.POSITIVE_INFINITY;
    for (const entry of this.pending) {
      const lane = laneOf(entry.message);
      if (lanes.has(lane)) continue;
      lanes.add(lane);
      const target = this.targetOf(entry.message);
      if (target === 'waiting') continue;
      if (target === 'nowhere') return { entry, target: { method: 'none' } };
      const wait = this.budgets.waitMs(this.budgetKey(target), now);
      if (wait === 0) return { entry, target };
      waitMs = Math.min(waitMs, wait);
    }
    return { waitMs };
  }

  /** The call an entry makes; a reply or update of a job whose message is still queued waits for it. */
  private targetOf(message: OutboxMessage): Target | 'waiting' | 'nowhere' {
    switch (message.kind) {
      case 'announce':
      case 'post':
        return { method: 'chat.postMessage', channel: message.channel };
      case 'ephemeral':
        return { method: 'chat.postEphemeral', channel: message.channel };
      case 'home':
        return { method: 'views.publish' };
      case 'reply':
      case 'update': {
        const where = this.posted.get(message.jobId) ?? this.options.store.get(message.jobId)?.slack;
        if (where) {
          const method = message.kind === 'reply' ? 'chat.postMessage' : 'chat.update';
          return { method, channel: where.channel, ts: where.ts };
        }
        return this.announced(message.jobId) ? 'waiting' : 'nowhere';
      }
    }
  }

  private budgetKey(target: Target): string {
    const channel = target.channel && (this.channelIds.get(target.channel) ?? target.channel);
    return this.budgets.key(target.method, channel);
  }

  private async send(entry: OutboxEntry, target: Target): Promise<void> {
    const { clock, log } = this.options;
    if (target.method === 'none') {
      log.warn(
        { component: 'slack-outbox', ...this.about(entry) },
        `no Slack message of job ${jobIdOf(entry.message)} to ${entry.message.kind === 'reply' ? 'reply to' : 'update'} ` +
          '(it was announced before Slack was configured, or Slack refused its announcement): this line is dropped',
      );
      return this.finish(entry, [], 'dropped');
    }
    const key = this.budgetKey(target);
    this.budgets.take(key, clock.now().getTime());
    this.inFlight = entry;
    try {
      const answer = await this.call(entry.message, target);
      this.counts.sent[target.method] = (this.counts.sent[target.method] ?? 0) + 1;
      if (this.failures > 0) {
        log.info(
          { component: 'slack-outbox', queued: this.pending.length },
          'Slack answers again: sending what waited',
        );
      }
      this.failures = 0;
      await this.finish(entry, await this.recordPosted(entry.message, target, answer), 'sent');
    } catch (error) {
      await this.failed(entry, target, key, error);
    } finally {
      this.inFlight = undefined;
    }
  }

  private async call(message: OutboxMessage, target: Target): Promise<{ channel?: string; ts?: string }> {
    const { client } = this.options;
    const blocks = (b: unknown[] | undefined) => b as types.KnownBlock[] | undefined;
    switch (message.kind) {
      case 'announce':
      case 'post':
        return client.chat.postMessage({
          channel: message.channel,
          text: message.text,
          blocks: blocks(message.blocks),
        });
      case 'reply':
        return client.chat.postMessage({
          channel: target.channel!,
          thread_ts: target.ts!,
          text: message.text,
          blocks: blocks(message.blocks),
        });
      case 'update':
        return client.chat.update({
          channel: target.channel!,
          ts: target.ts!,
          text: message.text,
          blocks: blocks(message.blocks),
        });
      case 'ephemeral':
        await client.chat.postEphemeral({
          channel: message.channel,
          user: message.user,
          text: message.text,
          blocks: blocks(message.blocks),
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        });
        return {};
      case 'home':
        await client.views.publish({ user_id: message.user, view: message.view as unknown as types.View });
        return {};
    }
  }

  /** An announcement's channel and ts: kept in the journal and in the job, for its replies and updates. */
  private async recordPosted(
    message: OutboxMessage,
    target: Target,
    answer: { channel?: string; ts?: string },
  ): Promise<JournalRecord[]> {
    if (answer.channel && target.channel && answer.channel !== target.channel) {
      this.channelIds.set(target.channel, answer.channel);
    }
    if (message.kind !== 'announce' || !answer.ts) return [];
    const posted = {
      jobId: message.jobId,
      channel: answer.channel ?? message.channel,
      ts: answer.ts,
      facts: message.facts,
    };
    this.posted.delete(posted.jobId);
    this.posted.set(posted.jobId, posted);
    if (this.options.store.get(posted.jobId)) {
      try {
        await this.options.store.annotate(posted.jobId, {
          slack: { channel: posted.channel, ts: posted.ts },
        });
      } catch (error) {
        // The journal keeps it too: replies still find the thread.
        this.options.log.warn(
          { component: 'slack-outbox', jobId: posted.jobId, err: error },
          `could not record job ${posted.jobId}'s Slack message in the store`,
        );
      }
    }
    return [{ posted }];
  }

  private async failed(entry: OutboxEntry, target: Target, key: string, error: unknown): Promise<void> {
    const { clock, log } = this.options;
    const failure = classify(error);
    const now = clock.now().getTime();
    if (failure.kind === 'rate_limited') {
      this.counts.rateLimited++;
      this.budgets.block(key, now + failure.retryAfterMs, now);
      log.info(
        { component: 'slack-outbox', method: target.method, retryAfterMs: failure.retryAfterMs },
        `Slack rate-limited ${target.method}: waiting ${failure.retryAfterMs / 1000} s as it asks`,
      );
      return;
    }
    if (failure.kind === 'permanent') {
      log.error(
        { component: 'slack-outbox', method: target.method, error: failure.error, ...this.about(entry) },
        `Slack refused ${target.method} (${failure.error})${jobIdOf(entry.message) ? ` for job ${jobIdOf(entry.message)}` : ''}: ` +
          `the message is dropped. ${hint(failure.error)}`,
      );
      return this.finish(entry, [], 'dropped');
    }
    this.counts.retried++;
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.failures);
    this.failures++;
    this.pausedUntil = now + backoff;
    log.warn(
      { component: 'slack-outbox', method: target.method, error: failure.error, queued: this.pending.length },
      `Slack did not take ${target.method} (${failure.error}): ${this.pending.length} messages wait, sent again in ${backoff / 1000} s`,
    );
  }

  private async finish(entry: OutboxEntry, records: JournalRecord[], how: 'sent' | 'dropped'): Promise<void> {
    if (how === 'dropped') this.counts.dropped++;
    this.pending = this.pending.filter((e) => e !== entry);
    await this.journal.write([...records, { done: entry.seq }]);
  }

  private about(entry: OutboxEntry): Record<string, unknown> {
    const jobId = jobIdOf(entry.message);
    const job = jobId ? this.options.store.get(jobId) : undefined;
    return { kind: entry.message.kind, jobId, eventId: job?.eventId, node: job?.node };
  }

  private async waitFor(ms: number): Promise<void> {
    const waker = new AbortController();
    this.waker = waker;
    const woken = new Promise<void>((resolve) => waker.signal.addEventListener('abort', () => resolve()));
    await (Number.isFinite(ms) ? this.options.clock.sleep(ms, waker.signal).catch(() => {}) : woken);
  }

  private wake(): void {
    this.waker?.abort();
  }

  /** What a compacted journal keeps: the entries to send, and the newest jobs' messages. */
  private snapshot(): JournalRecord[] {
    const posted = [...this.posted.values()].slice(-POSTED_KEPT);
    return [...posted.map((p) => ({ posted: p })), ...this.pending.map((entry) => ({ add: entry }))];
  }
}

function hint(error: string): string {
  switch (error) {
    case 'channel_not_found':
    case 'is_archived':
    case 'channel_is_archived':
      return 'Check SLACK_CHANNEL names a channel that exists and is not archived.';
    case 'not_in_channel':
      return 'Invite the bot to the channel (/invite @pitstop).';
    case 'invalid_auth':
    case 'not_authed':
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
      return 'Check SLACK_BOT_TOKEN (reinstall the app for a new one) and restart Pitstop.';
    case 'missing_scope':
    case 'no_permission':
      return "Add the scope manifest.yml lists to the app's bot token and reinstall it.";
    case 'message_not_found':
    case 'cant_update_message':
      return "The job's event message was deleted: later lines still go to its thread if it exists.";
    default:
      return 'Pitstop built a message Slack will not take: please report this with the log line.';
  }
}
