import { describe, expect, it, vi } from 'vitest';
import type { SlackSimulator } from '../../../src/sim/slack/server.js';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.js';
import { freePort } from '../../support/free-port.js';
import { boltApp, CHANNEL, eventMessage, simulatorPerTest } from './bolt-app.js';

const { started, app: stopsAfter } = simulatorPerTest();

const post = (sim: SlackSimulator, path: string, body: unknown) =>
  fetch(`${sim.baseUrl}/_sim/ui/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe("the channel page's routes", () => {
  it('serves the page at / with a policy that lets only its own files run', async () => {
    const sim = await started();
    const page = await fetch(`${sim.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="page.js"></script>');
    expect((await fetch(`${sim.baseUrl}/page.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${sim.baseUrl}/page.css`)).status).toBe(200);
  });

  it('streams each change as a server-sent event', async () => {
    const sim = await started();
    const response = await fetch(`${sim.baseUrl}/_sim/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    /** The stream read until it holds `count` whole events (comments count too). */
    let received = '';
    const events = async (count: number) => {
      while (received.split('\n\n').length <= count) received += (await reader.read()).value;
      return received.split('\n\n').slice(0, count);
    };
    expect(await events(1)).toEqual([': live']);
    const posted = sim.conversations.post(CHANNEL, { text: 'hello' });
    const [event, data] = (await events(2))[1]!.split('\n');
    expect(event).toBe('event: message');
    expect(JSON.parse(data!.slice('data: '.length))).toMatchObject({
      kind: 'message',
      channel: CHANNEL,
      message: { ts: posted.ts, text: 'hello' },
    });
    await reader.cancel();
  });

  it("delivers a click to the app the simulator's starter attached, here over Socket Mode", async () => {
    const sim = await started();
    const bolt = boltApp(sim, { socketMode: true, appToken: sim.workspace.appToken });
    await stopsAfter(bolt.app).start();
    sim.attachApp({ mode: 'socket' });
    const { ts } = sim.conversations.post(CHANNEL, eventMessage('gpu-4'));
    const click = { user: 'U0ALICE', channel: CHANNEL, ts, actionId: ACTION_IDS.approve };
    const response = await post(sim, 'click', click);
    expect(await response.json()).toEqual({ ok: true, status: 200, body: {} });
    await vi.waitFor(() =>
      expect(sim.conversations.message(CHANNEL, ts)?.text).toBe('Approved by <@U0ALICE>'),
    );
    expect(bolt.seen.approvals).toEqual([{ user: 'U0ALICE', retryNum: undefined }]);
  });

  it('says no app is attached rather than drop a click', async () => {
    const sim = await started();
    const { ts } = sim.conversations.post(CHANNEL, { text: 'x' });
    const response = await post(sim, 'click', { user: 'U0ALICE', channel: CHANNEL, ts, actionId: 'a' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ ok: false, error: 'no_app' });
  });

  it('refuses what a person could not have done, before anything is delivered', async () => {
    const sim = await started();
    sim.attachApp({ mode: 'http', url: 'http://127.0.0.1:9/slack/events' });
    const notACommand = await post(sim, 'command', { user: 'U0ALICE', channel: CHANNEL, line: 'list' });
    expect(notACommand.status).toBe(400);
    expect(await notACommand.json()).toMatchObject({ error: 'invalid_arguments' });
    expect((await post(sim, 'home', { user: 'alice' })).status).toBe(400);
    expect((await post(sim, 'nothing', { user: 'U0ALICE' })).status).toBe(404);
  });

  it('tells why a delivery failed when the app is not listening', async () => {
    const sim = await started();
    sim.attachApp({ mode: 'http', url: `http://127.0.0.1:${await freePort()}/slack/events` });
    const response = await post(sim, 'command', { user: 'U0ALICE', channel: CHANNEL, line: '/pitstop list' });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'not_delivered', detail: /ECONNREFUSED/ });
  });
});
