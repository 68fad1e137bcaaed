import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { type PostOptions, postJson, WebhookError } from '../../src/webhooks/post.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

let receiver: WebhookReceiver;
let clock: ManualClock;
beforeEach(async () => {
  receiver = await WebhookReceiver.start();
  clock = new ManualClock('2026-11-30T12:00:00Z', true);
});
afterEach(() => receiver.stop());

const options = (overrides: Partial<PostOptions> = {}): PostOptions => ({
  idempotencyKey: 'pitstop-ticket-abc',
  clock,
  deadline: new Date(clock.now().getTime() + 10 * 60_000),
  ...overrides,
});

const keys = () => receiver.received.map((r) => r.idempotencyKey);

describe('postJson', () => {
  it('retries 503s with the same Idempotency-Key until the receiver takes it, and says so once', async () => {
    receiver.script = (i) => (i < 3 ? { status: 503, json: { error: 'busy' } } : undefined);
    const said: string[] = [];
    const answer = await postJson(receiver.url, { node: 'gpu-3' }, options({ onRetry: (m) => said.push(m) }));

    expect(answer).toEqual({
      status: 201,
      body: { id: '10001', key: 'OPS-1', html_url: `${receiver.origin}/browse/OPS-1` },
    });
    expect(keys()).toEqual(Array(4).fill('pitstop-ticket-abc'));
    expect(receiver.received.every((r) => r.contentType === 'application/json')).toBe(true);
    expect(receiver.received.map((r) => r.body)).toEqual(Array(4).fill({ node: 'gpu-3' }));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`${receiver.origin} answered 503: {"error":"busy"}`);
    expect(said[0]).not.toContain('s3cr3t');
  });

  it('waits what a 429 asks in Retry-After before the next attempt', async () => {
    receiver.script = (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '42' } } : undefined);
    const before = clock.now().getTime();
    await postJson(receiver.url, {}, options());
    expect(clock.now().getTime() - before).toBe(42_000);
    expect(keys()).toHaveLength(2);
  });

  it('retries a connection dropped after the body was read, with the same key: one ticket', async () => {
    receiver.script = (i) => (i === 0 ? 'drop' : undefined);
    const answer = await postJson(receiver.url, { n: 1 }, options());
    expect(answer.status).toBe(201);
    expect(keys()).toEqual(['pitstop-ticket-abc', 'pitstop-ticket-abc']);
    expect(receiver.tickets.size).toBe(1);
  });

  it('abandons an attempt that gets no answer and tries again', async () => {
    receiver.script = (i) => (i === 0 ? 'hang' : undefined);
    const said: string[] = [];
    const answer = await postJson(
      receiver.url,
      {},
      options({ attemptTimeoutMs: 200, onRetry: (m) => said.push(m) }),
    );
    expect(answer.status).toBe(201);
    expect(said[0]).toMatch(/could not be reached \(no answer within 0s\)/);
  });

  it('takes a 400 as permanent: one attempt, an error naming the origin and what the receiver said', async () => {
    receiver.script = () => ({ status: 400, json: { message: 'field node is required' } });
    const error = await postJson(receiver.url, {}, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as Error).message).toBe(
      `${receiver.origin} answered 400: {"message":"field node is required"}; not retried (the receiver refuses this request as it is)`,
    );
    expect(receiver.received).toHaveLength(1);
  });

  it('gives up at the deadline with the last error, never naming the secret path', async () => {
    receiver.script = () => ({ status: 502 });
    const error = await postJson(
      receiver.url,
      {},
      options({ deadline: new Date(clock.now().getTime() + 60_000) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as Error).message).toMatch(
      new RegExp(`^gave up after \\d+ attempts; the last: ${receiver.origin} answered 502$`),
    );
    expect((error as Error).message).not.toContain('s3cr3t');
    expect(receiver.received.length).toBeGreaterThan(2);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(new Date('2026-11-30T12:01:00Z').getTime());
  });

  it('retries a receiver that is not listening, and stops waiting when the signal aborts', async () => {
    const url = receiver.url;
    await receiver.stop();
    const controller = new AbortController();
    const error = await postJson(
      url,
      {},
      options({
        onRetry: (m) => {
          expect(m).toMatch(/could not be reached \(ECONNREFUSED\)/);
          controller.abort(new Error('shutting down'));
        },
        signal: controller.signal,
      }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('shutting down');
    receiver = await WebhookReceiver.start();
  });
});
