import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/sim/clock.js';
import { RateLimiter } from '../../../src/sim/slack/rate-limits.js';
import { SlackSimulator } from '../../../src/sim/slack/server.js';

let sim: SlackSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const CHANNEL = 'C0PITSTOP';

async function start(clock?: ManualClock) {
  sim = new SlackSimulator({
    workspace: { users: [{ id: 'U0ALICE', name: 'alice' }] },
    rateLimits: { 'chat.postMessage': null },
    timeoutHoldMs: 2_000,
    ...(clock ? { clock } : {}),
  });
  await sim.start();
  return sim;
}

const client = (s: SlackSimulator, retries = 0) =>
  new WebClient(s.workspace.botToken, {
    slackApiUrl: s.apiUrl,
    retryConfig: { retries, minTimeout: 10, maxTimeout: 20 },
  });

describe('Slack simulator rate limiter', () => {
  it('allows a burst, then refills at the per-minute rate, one bucket per channel', () => {
    const limiter = new RateLimiter({ 'chat.postMessage': { perMinute: 60, burst: 2, perChannel: true } });
    const at = 1_000_000;
    expect([0, 1, 2].map(() => limiter.take('chat.postMessage', 'C1', at))).toEqual([0, 0, 1]);
    expect(limiter.take('chat.postMessage', 'C2', at)).toBe(0);
    expect(limiter.take('chat.postMessage', 'C1', at + 999)).toBe(1);
    expect(limiter.take('chat.postMessage', 'C1', at + 1_000)).toBe(0);
  });

  it('rounds Retry-After up to whole seconds for slow tiers, and can be switched off', () => {
    const limiter = new RateLimiter({ 'apps.connections.open': { perMinute: 1, burst: 1 } });
    expect(limiter.take('apps.connections.open', undefined, 0)).toBe(0);
    expect(limiter.take('apps.connections.open', undefined, 0)).toBe(60);
    expect(limiter.take('apps.connections.open', undefined, 30_000)).toBe(30);
    limiter.set('apps.connections.open', null);
    expect(limiter.take('apps.connections.open', undefined, 30_000)).toBe(0);
  });

  it('answers chat.update past its Tier 3 budget with 429 and the time the simulator clock must move', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = await start(clock);
    s.rateLimits.set('chat.update', { perMinute: 50, burst: 1 });
    const web = new WebClient(s.workspace.botToken, { slackApiUrl: s.apiUrl, rejectRateLimitedCalls: true });
    const { ts } = await web.chat.postMessage({ channel: CHANNEL, text: 'v0' });
    await web.chat.update({ channel: CHANNEL, ts: ts!, text: 'v1' });
    await expect(web.chat.update({ channel: CHANNEL, ts: ts!, text: 'v2' })).rejects.toMatchObject({
      retryAfter: 2,
    });
    clock.advance(1_200);
    await expect(web.chat.update({ channel: CHANNEL, ts: ts!, text: 'v3' })).resolves.toMatchObject({
      ok: true,
    });
    expect(s.conversations.message(CHANNEL, ts!)?.text).toBe('v3');
  });
});

describe('Slack simulator trigger_ids', () => {
  it('lets a trigger_id open a modal for 3 seconds only', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = await start(clock);
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Deny' }, blocks: [] };
    const fresh = s.surfaces.issueTrigger('U0ALICE');
    const stale = s.surfaces.issueTrigger('U0ALICE');
    clock.advance(2_900);
    await expect(client(s).views.open({ trigger_id: fresh, view })).resolves.toMatchObject({ ok: true });
    clock.advance(200);
    await expect(client(s).views.open({ trigger_id: stale, view })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
  });
});

describe('Slack simulator fault injection', () => {
  it('throttles the next calls of a method with 429 ratelimited and Retry-After', async () => {
    const s = await start();
    s.faults.set('chat.postMessage', { retryAfterSeconds: 7 });
    s.faults.failNext('chat.postMessage', 'throttle');
    const response = await fetch(`${s.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.workspace.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, text: 'x' }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(s.calls[0]).toMatchObject({ fault: 'throttle', retryAfter: 7, status: 429 });
  });

  it('takes the whole API down for a while; the client retries through it and nothing is lost', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = await start(clock);
    s.outage(60_000);
    const answered: string[] = [];
    const unsubscribe = s.onCall((call) => answered.push(call.method));
    const posting = client(s, 100).chat.postMessage({ channel: CHANNEL, text: 'during the outage' });
    await vi.waitFor(() => expect(s.calls.some((c) => c.status === 503)).toBe(true), { interval: 5 });
    // The outage ends when the simulator's clock passes it, whatever the client does meanwhile.
    clock.advance(60_001);
    await expect(posting).resolves.toMatchObject({ ok: true });
    expect(s.calls.at(-1)).toMatchObject({ status: 200, ok: true });
    expect(s.calls.slice(0, -1).every((c) => c.status === 503 && c.fault === 'outage')).toBe(true);
    expect(s.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['during the outage']);
    unsubscribe();
    await client(s).auth.test();
    expect(answered).toEqual(['chat.postMessage']);
  });

  it('carries out a call whose answer is then dropped, so a retrying client posts twice', async () => {
    const s = await start();
    s.faults.failNext('chat.postMessage', 'drop');
    await client(s, 1).chat.postMessage({ channel: CHANNEL, text: 'at most twice' });
    expect(s.calls.map((c) => [c.status, c.fault])).toEqual([
      [0, 'drop'],
      [200, undefined],
    ]);
    expect(s.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['at most twice', 'at most twice']);
  });
});

describe('Slack simulator state over HTTP (/_sim/)', () => {
  it('serves the channel history, a thread, the calls and the workspace without its secrets', async () => {
    const s = await start();
    const web = client(s);
    const parent = await web.chat.postMessage({ channel: CHANNEL, text: 'event' });
    await web.chat.postMessage({ channel: CHANNEL, text: 'drained', thread_ts: parent.ts! });
    const get = async (path: string) => {
      const response = await fetch(`${s.baseUrl}/_sim/${path}`);
      return { status: response.status, body: await response.json() };
    };
    expect((await get(`channels/${CHANNEL}/history`)).body).toMatchObject([
      { text: 'event', reply_count: 1 },
    ]);
    expect((await get(`channels/${CHANNEL}/replies/${parent.ts}`)).body).toMatchObject([{ text: 'drained' }]);
    expect((await get('calls')).body).toHaveLength(2);
    const workspace = await get('workspace');
    expect(workspace.body).toMatchObject({ team: { id: 'T0PITSTOP' }, users: [{ id: 'U0ALICE' }] });
    expect(JSON.stringify(workspace.body)).not.toMatch(/xoxb-|xapp-|signing/);
    expect(await get('channels/C0NOWHERE/history')).toEqual({
      status: 404,
      body: { ok: false, error: 'channel_not_found' },
    });
    expect((await get('users/U0ALICE/home')).body).toBeNull();
    expect((await get('nothing/here')).status).toBe(404);
  });

  it('takes response_url answers: ephemeral by default, in the channel or replacing the original on request', async () => {
    const s = await start();
    const { ts } = await client(s).chat.postMessage({ channel: CHANNEL, text: 'original' });
    const url = s.responseUrl({ channel: CHANNEL, user: 'U0ALICE', messageTs: ts! });
    const respond = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await respond({ text: 'only you' })).status).toBe(200);
    await respond({ text: 'everyone', response_type: 'in_channel' });
    await respond({ text: 'replaced', replace_original: true });
    expect(s.conversations.ephemeralFor('U0ALICE').map((e) => e.text)).toEqual(['only you']);
    expect(s.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['replaced', 'everyone']);
    await respond({ text: '4' });
    await respond({ text: '5' });
    expect((await respond({ text: 'a sixth use' })).status).toBe(404);
  });
});
