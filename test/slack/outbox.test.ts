import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import type { SlackSimulator } from '../../src/sim/slack/server.js';
import { OutboxFileError } from '../../src/slack/outbox/journal.js';
import type { Outbox } from '../../src/slack/outbox/outbox.js';
import { capturingLogger, tempStateFile } from '../support/orchestrator.js';
import { START } from '../support/pipeline.js';
import { CHANNEL, openOutbox, sendAll, startSlack } from './support.js';

let sim: SlackSimulator | undefined;
const outboxes: Outbox[] = [];
afterEach(async () => {
  for (const outbox of outboxes.splice(0)) await outbox.stop().catch(() => {});
  await sim?.stop();
  sim = undefined;
});

/** The jobs' side of the store: the outbox reads a job's message there and records it when posted. */
function jobsStore() {
  const jobs = new Map<string, Partial<MaintenanceJob>>();
  return {
    jobs,
    get: (id: string) => jobs.get(id) as MaintenanceJob | undefined,
    annotate: async (id: string, patch: Partial<MaintenanceJob>) => {
      jobs.set(id, { ...jobs.get(id), ...patch });
      return jobs.get(id) as MaintenanceJob;
    },
  };
}

async function open(stateFile: string, clock: ManualClock, options: Parameters<typeof openOutbox>[4] = {}) {
  const store = jobsStore();
  const outbox = await openOutbox(sim!, stateFile, store, clock, options);
  outboxes.push(outbox);
  return { outbox, store };
}

const announce = (jobId: string, channel = CHANNEL) => ({
  kind: 'announce' as const,
  jobId,
  channel,
  text: `event of ${jobId}`,
  blocks: [],
  facts: {},
});
const section = (text: string) => [{ type: 'section', text: { type: 'mrkdwn', text } }];

describe('Slack outbox', () => {
  it('sends only the newest pending update of a message while chat.update is throttled; the last content wins', async () => {
    const clock = new ManualClock(START);
    sim = await startSlack(clock);
    const budget = { perMinute: 6, burst: 1 };
    sim.rateLimits.set('chat.update', budget);
    const { outbox, store } = await open(tempStateFile(), clock, { budgets: { 'chat.update': budget } });
    store.jobs.set('job-1', {});
    await outbox.enqueue(announce('job-1'));
    for (let n = 1; n <= 30; n++) {
      await outbox.enqueue({
        kind: 'update',
        jobId: 'job-1',
        text: `v${n}`,
        blocks: section(`version ${n}`),
      });
    }
    await sendAll(outbox, clock);
    const ts = store.jobs.get('job-1')!.slack!.ts;
    expect(sim.conversations.message(CHANNEL, ts)).toMatchObject({
      text: 'v30',
      blocks: [{ text: { text: 'version 30' } }],
    });
    expect(sim.count('chat.update', 'ok')).toBeLessThanOrEqual(3);
    expect(outbox.stats().coalesced).toBeGreaterThanOrEqual(27);
    expect(sim.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('logs at error and drops what Slack refuses for good, and goes on with the rest', async () => {
    const clock = new ManualClock(START, true);
    sim = await startSlack(clock);
    const { log, lines } = capturingLogger();
    const { outbox, store } = await open(tempStateFile(), clock, { log });
    store.jobs.set('job-out', { eventId: 'ocid1.event.out', node: 'gpu-9' });
    await outbox.enqueue(announce('job-out', 'C0OUTSIDE'));
    await outbox.enqueue({ kind: 'reply', jobId: 'job-out', text: 'drained' });
    await outbox.enqueue(announce('job-in'));
    await outbox.idle();

    expect(sim.count('chat.postMessage', 'not_in_channel')).toBe(1);
    expect(sim.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['event of job-in']);
    expect(outbox.stats()).toMatchObject({ queued: 0, dropped: 2 });
    expect(lines.find((l) => l.level === 50)).toMatchObject({
      jobId: 'job-out',
      eventId: 'ocid1.event.out',
      node: 'gpu-9',
      msg: expect.stringMatching(/not_in_channel.*job-out.*dropped.*Invite the bot/),
    });
    expect(lines.find((l) => l.level === 40)).toMatchObject({
      jobId: 'job-out',
      msg: expect.stringMatching(/no Slack message of job job-out to reply to/),
    });
  });

  it('keeps what is queued across a restart, sends it after, and never sends what was done again', async () => {
    const clock = new ManualClock(START);
    sim = await startSlack(clock);
    const stateFile = tempStateFile();
    const first = await open(stateFile, clock);
    await first.outbox.enqueue(announce('job-1'));
    await sendAll(first.outbox, clock);
    sim.outage(60_000);
    for (const text of ['one', 'two', 'three'])
      await first.outbox.enqueue({ kind: 'reply', jobId: 'job-1', text });
    await first.outbox.stop();
    // A crash mid-append leaves a torn last line: it was never acknowledged, so it is dropped.
    appendFileSync(`${stateFile}.outbox`, '{"add":{"seq":99,');

    clock.advance(60_000);
    const second = await open(stateFile, clock);
    expect(second.outbox.stats().queued).toBe(3);
    expect(second.outbox.messageOf('job-1')).toMatchObject({ channel: CHANNEL });
    await sendAll(second.outbox, clock);
    const ts = second.outbox.messageOf('job-1')!.ts;
    expect(sim.conversations.replies(CHANNEL, ts).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(sim.conversations.history(CHANNEL)).toHaveLength(1);
  });

  it('compacts its journal to what is still to send and where the messages are', async () => {
    const clock = new ManualClock(START, true);
    sim = await startSlack(clock);
    const stateFile = tempStateFile();
    const { outbox } = await open(stateFile, clock, { compactAtBytes: 2_000 });
    await outbox.enqueue(announce('job-1'));
    for (let n = 0; n < 40; n++) await outbox.enqueue({ kind: 'reply', jobId: 'job-1', text: `line ${n}` });
    await outbox.idle();
    await outbox.enqueue({ kind: 'reply', jobId: 'job-1', text: 'last' });
    await outbox.idle();
    await outbox.stop();
    outboxes.splice(0);
    const journal = readFileSync(`${stateFile}.outbox`, 'utf8');
    expect(journal.length).toBeLessThan(4_000);
    const again = await open(stateFile, clock);
    expect(again.outbox.stats().queued).toBe(0);
    expect(again.outbox.messageOf('job-1')?.ts).toBe(sim.conversations.history(CHANNEL)[0]!.ts);
  });

  it('refuses to start on a damaged journal, saying what to do', async () => {
    const clock = new ManualClock(START);
    sim = await startSlack(clock);
    const stateFile = tempStateFile();
    appendFileSync(`${stateFile}.outbox`, 'not json\n{"done":1}\n');
    await expect(open(stateFile, clock)).rejects.toThrow(OutboxFileError);
    await expect(open(stateFile, clock)).rejects.toThrow(
      /line 1 of the Slack outbox is damaged.*Move it aside/,
    );
  });
});
