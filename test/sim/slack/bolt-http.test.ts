import { WebClient } from '@slack/web-api';
import { describe, expect, it, vi } from 'vitest';
import { SlackDriver } from '../../../src/sim/slack/driver.js';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.js';
import { freePort } from '../../support/free-port.js';
import { boltApp, CHANNEL, eventMessage, simulatorPerTest } from './bolt-app.js';

const each = simulatorPerTest();

async function setup() {
  const sim = await each.started();
  const bolt = boltApp(sim, { signingSecret: sim.workspace.signingSecret });
  const port = await freePort();
  await each.app(bolt.app).start(port);
  const driver = new SlackDriver(sim, { mode: 'http', url: `http://127.0.0.1:${port}/slack/events` });
  const posted = await new WebClient(sim.workspace.botToken, { slackApiUrl: sim.apiUrl }).chat.postMessage({
    channel: CHANNEL,
    ...eventMessage('gpu-node-7'),
  });
  return { sim, driver, seen: bolt.seen, ts: posted.ts! };
}

describe('Slack simulator driving the real Bolt app in HTTP mode', () => {
  it('delivers a signed click that Bolt acks in the request, and sees the message updated in place', async () => {
    const { sim, driver, seen, ts } = await setup();
    const delivered = await driver.click('U0ALICE', { channel: CHANNEL, ts, actionId: ACTION_IDS.approve });
    expect(delivered.status).toBe(200);
    await vi.waitFor(() =>
      expect(sim.conversations.message(CHANNEL, ts)?.text).toBe('Approved by <@U0ALICE>'),
    );
    expect(seen.approvals).toEqual([{ user: 'U0ALICE', retryNum: undefined }]);
    expect(sim.conversations.history(CHANNEL)).toHaveLength(1);
    expect(sim.count('chat.update', 'ok')).toBe(1);
  });

  it('marks a redelivery with x-slack-retry-num, which Bolt hands to the listener', async () => {
    const { driver, seen, ts } = await setup();
    await driver.click('U0ALICE', { channel: CHANNEL, ts, actionId: ACTION_IDS.approve }, { retryNum: 1 });
    await vi.waitFor(() => expect(seen.approvals).toEqual([{ user: 'U0ALICE', retryNum: 1 }]));
  });

  it('refuses a forged signature and a stale timestamp with 401, reaching no listener', async () => {
    const { driver, seen, ts } = await setup();
    const click = { channel: CHANNEL, ts, actionId: ACTION_IDS.approve };
    expect((await driver.click('U0ALICE', click, { forgeSignature: true })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await driver.click('U0ALICE', click, { timestamp: sixMinutesAgo })).status).toBe(401);
    expect((await driver.command('U0ALICE', CHANNEL, '/pitstop list', { forgeSignature: true })).status).toBe(
      401,
    );
    expect(seen.approvals).toEqual([]);
    expect(seen.commands).toEqual([]);
  });

  it('opens the Deny modal with the click trigger_id and delivers its submission with the reason typed', async () => {
    const { sim, driver, seen, ts } = await setup();
    await driver.click('U0ALICE', { channel: CHANNEL, ts, actionId: ACTION_IDS.deny });
    await vi.waitFor(() => expect(sim.surfaces.modal('U0ALICE')?.callback_id).toBe('deny_reason'));
    const delivered = await driver.submitModal('U0ALICE', { reason: 'GPU jobs of the ML team until Friday' });
    expect(delivered.status).toBe(200);
    expect(sim.surfaces.modal('U0ALICE')).toBeUndefined();
    await vi.waitFor(() =>
      expect(sim.conversations.message(CHANNEL, ts)?.text).toBe(
        'Denied by <@U0ALICE>: GPU jobs of the ML team until Friday',
      ),
    );
    expect(seen.denials).toEqual([{ user: 'U0ALICE', reason: 'GPU jobs of the ML team until Friday' }]);
  });

  it('delivers a slash command; the ack text and the response_url answer reach the user only', async () => {
    const { sim, driver, seen } = await setup();
    const delivered = await driver.command('U0ALICE', CHANNEL, '/pitstop status gpu-node-7');
    expect(delivered).toEqual({ status: 200, body: { text: 'Working on: status gpu-node-7' } });
    expect(seen.commands).toEqual([{ user: 'U0ALICE', text: 'status gpu-node-7' }]);
    await vi.waitFor(() =>
      expect(sim.conversations.ephemeralFor('U0ALICE').map((e) => e.text)).toEqual([
        'Working on: status gpu-node-7',
        'Done: status gpu-node-7',
      ]),
    );
    expect(sim.conversations.history(CHANNEL).map((m) => m.text)).toEqual([
      'Maintenance event for gpu-node-7',
    ]);
  });

  it('sends app_home_opened as a signed JSON event; the app publishes Home', async () => {
    const { sim, driver } = await setup();
    expect((await driver.openHome('U0ALICE')).status).toBe(200);
    await vi.waitFor(() =>
      expect(sim.surfaces.home('U0ALICE')?.blocks).toMatchObject([{ text: { text: 'No jobs running' } }]),
    );
  });

  it('will not click a button that the message does not have', async () => {
    const { driver, ts } = await setup();
    await expect(driver.click('U0ALICE', { channel: CHANNEL, ts, actionId: 'terminate' })).rejects.toThrow(
      /no button terminate/,
    );
  });
});
