/**
 * `pitstop demo` as a process, driven through its channel page in Debian's Chromium the way a
 * person would: approve one event through its confirm dialog, deny another with a reason, watch
 * the failing node kept out, type /pitstop commands. Every event of the scenario must reach its
 * outcome. Screenshots for the README go to docs/screenshots/demo-*.png.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, EVENTS, FAILING_NODE } from '../../src/demo/scenario.js';
import { browserMissing, openPage, screenshot } from '../support/browser.js';
import { missingTool } from '../support/system-tools.js';

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
/** At the default speed every event ends within 2 minutes; the waits allow that and some. */
const OUTCOME_MS = 150_000;
const DENY_REASON = 'the vision team has a paper deadline on Friday';

let demo: ResultPromise;
let state: string;
let url: string;
let browser: Browser;
let page: Page;

/** Resolves with the first URL the demo prints on stdout. */
function urlLine(process: ResultPromise): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    process.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (match) resolve(match[0]);
    });
    process.catch(reject);
    void process.then(() => reject(new Error(`test: the demo ended before printing a URL: ${seen}`)));
  });
}

/** The event message of `node` in the channel. */
const eventMessage = (node: string): Locator =>
  page
    .locator('#messages > li')
    .filter({ has: page.getByRole('heading', { name: new RegExp(`^Maintenance: ${node}\\b`) }) });

const shot = (name: string) => screenshot(page, `demo-${name}`);

async function openThread(node: string): Promise<Locator> {
  const replies = eventMessage(node).getByRole('button', { name: /repl/ });
  await replies.waitFor({ timeout: OUTCOME_MS });
  await replies.click();
  const thread = page.locator('#thread-pane');
  await thread.waitFor();
  return thread;
}

async function command(text: string): Promise<Locator> {
  await page.getByRole('textbox', { name: 'Slash command' }).fill(text);
  await page.keyboard.press('Enter');
  return page.locator('#messages .ephemeral').last();
}

/** The events whose job finished, from the audit log (`"type":"finished"` once per job). */
function finishedEvents(): Set<string | undefined> {
  const file = join(state, 'audit.jsonl');
  if (!existsSync(file)) return new Set();
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; eventId?: string; job?: { eventId: string } });
  // The finished record carries the whole job (DESIGN lists eventId beside it; the store writes job).
  return new Set(records.filter((r) => r.type === 'finished').map((r) => r.eventId ?? r.job?.eventId));
}

describe.skipIf(missingTool(browserMissing()))('pitstop demo in a browser', () => {
  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'pitstop-demo-test-'));
    demo = execa('node', [bin, 'demo', '--port', '0', '--state', state], { reject: false });
    url = await urlLine(demo);
    ({ browser, page } = await openPage());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (demo?.exitCode === undefined) demo?.kill('SIGKILL');
  });

  it('runs every event of the scenario to its outcome, with a person deciding two of them', async () => {
    await page.goto(`${url}?user=${APPROVER.id}`);
    await page.locator('#live.on').waitFor();

    // What Pitstop holds, asked in the command box; the answers are for the one who asked.
    const list = await command('/pitstop list');
    await list.getByText(EVENTS.toDeny.id).waitFor();
    expect(await list.textContent()).toContain(
      `${EVENTS.toApprove.node} HPCRDMA-0002-02 — awaiting approval`,
    );
    const status = await command(`/pitstop status ${EVENTS.toApprove.node}`);
    await status.getByText(EVENTS.toApprove.id).waitFor();
    expect(await status.textContent()).toMatch(/awaiting.approval/);
    await shot('commands');

    // Approve through the confirm dialog; the thread follows the job to its resume.
    const approved = eventMessage(EVENTS.toApprove.node);
    await approved.getByRole('button', { name: 'Approve' }).click();
    const confirm = page.locator('#confirm-dialog');
    await confirm.getByRole('button', { name: 'Approve' }).click();
    await approved.getByText(`Approved by @${APPROVER.realName}`).waitFor();

    // Deny another with a reason typed in the modal.
    const denied = eventMessage(EVENTS.toDeny.node);
    await denied.getByRole('button', { name: 'Deny' }).click();
    const modal = page.locator('#modal-dialog');
    await modal.getByRole('textbox', { name: 'Why?' }).fill(DENY_REASON);
    await shot('modal');
    await modal.getByRole('button', { name: 'Deny' }).click();
    await denied.getByText(new RegExp(`Denied by @${APPROVER.realName} at .*: ${DENY_REASON}$`)).waitFor();

    const thread = await openThread(EVENTS.toApprove.node);
    await thread.getByText(`${EVENTS.toApprove.node} resumed`).waitFor({ timeout: OUTCOME_MS });
    await shot('thread');
    await page.keyboard.press('Escape');

    // The node whose GPUs failed their checks stays out, and its thread says why.
    await eventMessage(FAILING_NODE).getByText('Kept out of service').waitFor({ timeout: OUTCOME_MS });
    const failing = await openThread(FAILING_NODE);
    await failing
      .getByText(/Xid 63/)
      .first()
      .waitFor();
    await failing
      .getByText(/row remap pending/)
      .first()
      .waitFor();
    await shot('failing');
    await page.keyboard.press('Escape');

    // Every event ends: resumed, kept out, denied, canceled by OCI, or left to its operator.
    const all = Object.values(EVENTS).map((e) => e.id);
    await expect
      .poll(() => all.filter((id) => !finishedEvents().has(id)), { timeout: OUTCOME_MS, interval: 1_000 })
      .toEqual([]);
    await eventMessage(EVENTS.handDrained.node).getByText('Kept out of service').waitFor();
    await page.locator('#messages').evaluate((list) => list.scrollTo(0, 0));
    await shot('channel');
  }, 400_000);

  it('stops everything on SIGTERM and exits 0, the bot saying so in its log', async () => {
    demo.kill('SIGTERM');
    const { exitCode } = await demo;
    expect(exitCode).toBe(0);
    expect(readFileSync(join(state, 'pitstop.log'), 'utf8')).toMatch(/"msg":"stopped"}\n$/);
  });
});
