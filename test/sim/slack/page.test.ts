import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newJob } from '../../../src/domain/job.js';
import { ManualClock } from '../../../src/sim/clock.js';
import { SlackSimulator } from '../../../src/sim/slack/server.js';
import { type EventFacts, eventMessage } from '../../../src/slack/blocks/event-message.js';
import { browserMissing, openPage, screenshot } from '../../support/browser.js';
import { sampleEvent } from '../../support/events.js';
import { freePort } from '../../support/free-port.js';
import { missingTool } from '../../support/system-tools.js';
import { boltApp, PROGRESS } from './bolt-app.js';

const CHANNEL = 'C0PITSTOP';
const AT = '2026-12-01T14:02:00Z';
const ALICE = { id: 'U0ALICE', name: 'alice', realName: 'Alice Approver' };
const BOB = { id: 'U0BOB', name: 'bob', realName: 'Bob Bystander' };

let sim: SlackSimulator;
let app: App;
let browser: Browser;
let page: Page;

/** An event message as Pitstop builds it, posted by the bot. */
async function postEvent(node: string, eventSuffix: string, summary: string): Promise<string> {
  const event = sampleEvent({
    id: `ocid1.instancemaintenanceevent.oc1.iad.${eventSuffix}`,
    additionalDetails: {
      faultDetails: JSON.stringify([
        { faultId: 'HPCRDMA-0002-02', faultSummary: summary, impactedComponent: 'NIC' },
      ]),
    },
  });
  const job = newJob(event, new Date(AT), node);
  const facts: EventFacts = {
    shape: 'BM.GPU.H100.8',
    node: { gpus: 8, gpuType: 'H100', partitions: ['gpu', 'long'] },
    slurmJobs: [
      {
        id: '4242',
        user: 'mlteam',
        name: 'train-llm',
        state: 'RUNNING',
        elapsed: '3:10:00',
        timeLimit: '1-00:00:00',
      },
      {
        id: '4243',
        user: 'mlteam',
        name: 'eval',
        state: 'RUNNING',
        elapsed: '0:20:00',
        timeLimit: '2:00:00',
      },
    ],
  };
  const posted = await new WebClient(sim.workspace.botToken, { slackApiUrl: sim.apiUrl }).chat.postMessage({
    channel: CHANNEL,
    ...eventMessage(job, facts),
  });
  return posted.ts!;
}

const message = (ts: string) => page.locator(`#messages [data-key="m${ts}"]`);
const shot = (name: string) => screenshot(page, name);

describe.skipIf(missingTool(browserMissing()))('the channel page in a real browser', () => {
  beforeAll(async () => {
    // A clock that stands still keeps the screenshots the same from run to run; with it, the
    // channel's one-a-second posting budget would never refill, so it is lifted here.
    sim = new SlackSimulator({
      workspace: { users: [ALICE, BOB] },
      clock: new ManualClock(AT),
      rateLimits: { 'chat.postMessage': null },
    });
    await sim.start();
    app = boltApp(sim, { signingSecret: sim.workspace.signingSecret }, [ALICE.id]).app;
    const port = await freePort();
    await app.start(port);
    sim.attachApp({ mode: 'http', url: `http://127.0.0.1:${port}/slack/events` });
    ({ browser, page } = await openPage());
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await sim?.stop();
  });

  it('approves through the confirm dialog, denies through the modal, answers /pitstop, opens Home', async () => {
    const approved = await postEvent('gpu-1', 'approve1', 'RDMA link flapping');
    await page.goto(`${sim.baseUrl}/?user=${ALICE.id}`);
    await page.locator('#live.on').waitFor();

    // A message posted while the page is open arrives over the live feed.
    const denied = await postEvent('gpu-2', 'deny2', 'GPU fell off the bus');
    await message(denied).getByText('Maintenance: gpu-2').waitFor();
    expect(await message(approved).getByRole('heading').textContent()).toMatch(/^Maintenance: gpu-1/);
    await message(approved).getByText('Node', { exact: true }).waitFor();

    // Approve asks first; Cancel sends nothing.
    await message(approved).getByRole('button', { name: 'Approve' }).click();
    const confirm = page.locator('#confirm-dialog');
    await confirm.getByText('Approve this maintenance?').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(sim.count('chat.update')).toBe(0);

    await message(approved).getByRole('button', { name: 'Approve' }).click();
    await confirm.getByRole('button', { name: 'Approve' }).click();
    await message(approved).getByText('Approved by @Alice Approver').waitFor();
    await message(approved).getByRole('button', { name: 'Approve' }).waitFor({ state: 'detached' });
    expect(await message(approved).getByText('(edited)').isVisible()).toBe(true);

    // The progress replies open beside the channel, in the order they were posted.
    await message(approved)
      .getByRole('button', { name: /2 replies/ })
      .click();
    const thread = page.locator('#thread-pane');
    await thread.getByText(PROGRESS[1]!).waitFor();
    expect(await thread.locator('#thread-replies .message-body').allTextContents()).toEqual(PROGRESS);
    expect(await thread.locator('#thread-parent').textContent()).toContain('Approved by @Alice Approver');
    await shot('thread');
    await page.keyboard.press('Escape');
    await thread.waitFor({ state: 'hidden' });

    // Deny opens the app's modal; Escape closes it (and the simulator forgets it).
    await message(denied).getByRole('button', { name: 'Deny' }).click();
    const modal = page.locator('#modal-dialog');
    await modal.getByRole('textbox', { name: 'Why?' }).waitFor();
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden' });
    await expect.poll(() => sim.surfaces.modal(ALICE.id)).toBeUndefined();

    await message(denied).getByRole('button', { name: 'Deny' }).click();
    await modal.getByRole('textbox', { name: 'Why?' }).fill('training run of the ML team until Friday');
    await shot('modal');
    await modal.getByRole('button', { name: 'Deny' }).click();
    await modal.waitFor({ state: 'hidden' });
    await message(denied)
      .getByText('Denied by @Alice Approver: training run of the ML team until Friday')
      .waitFor();

    // A slash command typed and sent with Enter; the answers are only for the one who typed it.
    await page.getByRole('textbox', { name: 'Slash command' }).fill('/pitstop list');
    await page.keyboard.press('Enter');
    const ephemeral = page.locator('#messages .ephemeral');
    await ephemeral.getByText('Done: list').waitFor();
    expect(await ephemeral.filter({ hasText: 'Done: list' }).textContent()).toContain('Only visible to you');
    expect(await ephemeral.filter({ hasText: 'Done: list' }).locator('.author').textContent()).toBe(
      'pitstop',
    );
    await shot('channel');

    // Someone who may not approve is refused, and only they see it.
    const refused = await postEvent('gpu-3', 'refuse3', 'NVLink errors');
    await page.getByLabel('You are').selectOption(BOB.id);
    await ephemeral.filter({ hasText: 'Done: list' }).waitFor({ state: 'detached' });
    await message(refused).getByRole('button', { name: 'Approve' }).click();
    await confirm.getByRole('button', { name: 'Approve' }).click();
    await ephemeral.getByText('Only approvers may approve.').waitFor();
    expect(await message(refused).getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);

    // App Home: opening it sends app_home_opened; the view the app publishes is drawn.
    await page.getByRole('button', { name: /Home/ }).click();
    await page.locator('#home-content').getByText('No jobs running').waitFor();
    await shot('home');
  });

  it('draws mrkdwn as Slack does, and runs nothing a message carries', async () => {
    await page.getByRole('button', { name: '# pitstop' }).click();
    const text =
      '*bold* _italic_ ~gone~ `code &lt;b&gt;` <@U0ALICE> <https://example.com/a?b=1&amp;c=2|a link> ' +
      '<javascript:alert(1)|not a link> &lt;img src=x onerror="globalThis.pwned=1"&gt; 5 &amp;lt; 6';
    const posted = await new WebClient(sim.workspace.botToken, {
      slackApiUrl: sim.apiUrl,
    }).chat.postMessage({
      channel: CHANNEL,
      text: 'formatting',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
    const body = message(posted.ts!).locator('.message-body');
    await body.waitFor();
    expect(await body.locator('strong').textContent()).toBe('bold');
    expect(await body.locator('em').textContent()).toBe('italic');
    expect(await body.locator('s').textContent()).toBe('gone');
    expect(await body.locator('code').textContent()).toBe('code <b>');
    expect(await body.locator('.mention').textContent()).toBe('@Alice Approver');
    const links = await body
      .locator('a')
      .evaluateAll((all) => all.map((a) => [a.getAttribute('href'), a.textContent]));
    expect(links).toEqual([['https://example.com/a?b=1&c=2', 'a link']]);
    expect(await body.textContent()).toContain(
      'not a link <img src=x onerror="globalThis.pwned=1"> 5 &lt; 6',
    );
    expect(await body.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).toBeUndefined();
  });
});
