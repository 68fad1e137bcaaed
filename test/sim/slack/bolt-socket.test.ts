import { WebClient } from '@slack/web-api';
import { describe, expect, it, vi } from 'vitest';
import { SlackDriver } from '../../../src/sim/slack/driver.js';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.js';
import { boltApp, CHANNEL, eventMessage, simulatorPerTest } from './bolt-app.js';

const each = simulatorPerTest();

async function setup(appToken?: string) {
  const sim = await each.started();
  const bolt = boltApp(sim, { socketMode: true, appToken: appToken ?? sim.workspace.appToken });
  return { sim, app: each.app(bolt.app), seen: bolt.seen, driver: new SlackDriver(sim, { mode: 'socket' }) };
}

describe('Slack simulator driving the real Bolt app in Socket Mode', () => {
  it('opens the websocket from apps.connections.open, says hello, and gets a click acked', async () => {
    const { sim, app, seen, driver } = await setup();
    await app.start(); // resolves once the simulator's hello arrived
    expect(sim.socketMode.connections).toBe(1);
    expect(sim.calls.find((c) => c.method === 'apps.connections.open')).toMatchObject({ ok: true });

    const posted = await new WebClient(sim.workspace.botToken, { slackApiUrl: sim.apiUrl }).chat.postMessage({
      channel: CHANNEL,
      ...eventMessage('gpu-node-3'),
    });
    const delivered = await driver.click('U0ALICE', {
      channel: CHANNEL,
      ts: posted.ts!,
      actionId: ACTION_IDS.approve,
    });
    expect(delivered.status).toBe(200);
    await vi.waitFor(() =>
      expect(sim.conversations.message(CHANNEL, posted.ts!)?.text).toBe('Approved by <@U0ALICE>'),
    );
    expect(seen.approvals).toEqual([{ user: 'U0ALICE', retryNum: undefined }]);
  });

  it('carries a slash command as an envelope; the ack payload is the answer the user sees', async () => {
    const { sim, app, driver } = await setup();
    await app.start();
    const delivered = await driver.command('U0ALICE', CHANNEL, '/pitstop list');
    expect(delivered).toEqual({ status: 200, body: { text: 'Working on: list' } });
    await vi.waitFor(() =>
      expect(sim.conversations.ephemeralFor('U0ALICE').map((e) => e.text)).toEqual([
        'Working on: list',
        'Done: list',
      ]),
    );
  });

  it('reconnects when told to by a disconnect message, and keeps delivering', async () => {
    const { sim, app, driver } = await setup();
    await app.start();
    sim.socketMode.refresh();
    await vi.waitFor(() => expect(sim.count('apps.connections.open', 'ok')).toBe(2), { timeout: 10_000 });
    await vi.waitFor(() => expect(sim.socketMode.connections).toBe(1));
    expect((await driver.openHome('U0ALICE')).status).toBe(200);
    await vi.waitFor(() => expect(sim.surfaces.home('U0ALICE')).toBeDefined());
  });

  it('refuses a wrong app token at apps.connections.open', async () => {
    const { sim, app } = await setup('xapp-1-forged');
    await expect(app.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(sim.socketMode.connections).toBe(0);
  });

  it('gives up on an envelope nobody acknowledges', async () => {
    const { driver } = await setup();
    await expect(driver.command('U0ALICE', CHANNEL, '/pitstop list', { timeoutMs: 200 })).rejects.toThrow(
      /no Socket Mode connection within 200 ms/,
    );
  });
});
