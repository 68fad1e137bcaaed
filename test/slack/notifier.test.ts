import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import type { SlackSimulator } from '../../src/sim/slack/server.js';
import { jobIdsOfDigest } from '../../src/slack/digest.js';
import type { Outbox } from '../../src/slack/outbox/outbox.js';
import { HEALTHY_SHAPE } from '../support/gpu-standins.js';
import { keptOutJob } from '../support/kept-out.js';
import { type OrchestratorRig, orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, START, startPipeline } from '../support/pipeline.js';
import {
  busiestSecond,
  CHANNEL,
  type SaidNotifier,
  sendAll,
  slackNotifierOver,
  startSlack,
} from './support.js';

let pipeline: Pipeline;
let sim: SlackSimulator;
let stateFile: string;
const rigs: OrchestratorRig<SaidNotifier>[] = [];
const outboxes: Outbox[] = [];

beforeEach(async () => {
  pipeline = await startPipeline();
  stateFile = tempStateFile();
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => {});
  for (const outbox of outboxes.splice(0)) await outbox.stop().catch(() => {});
  await sim?.stop();
  await pipeline.stop();
});

/** The orchestrator on the pipeline with the SlackNotifier on the simulator; both Slack sides share `clock`. */
async function rig(clock: ManualClock, options: Parameters<typeof slackNotifierOver>[5] = {}) {
  const made: { outbox?: Outbox } = {};
  const r = await orchestratorOver(
    pipeline,
    stateFile,
    {},
    undefined,
    slackNotifierOver(sim, pipeline, stateFile, clock, made, options),
  );
  rigs.push(r);
  outboxes.push(made.outbox!);
  return { ...r, outbox: made.outbox! };
}

const messageOf = (eventId: string) =>
  sim.conversations
    .history(CHANNEL)
    .find((m) => m.text.includes(eventId) && !m.text.includes('new maintenance events'));
const threadOf = (eventId: string) =>
  sim.conversations.replies(CHANNEL, messageOf(eventId)!.ts).map((m) => m.text);
const terminateButtons = (blocks: unknown[] | undefined) =>
  JSON.stringify(blocks ?? []).match(/"action_id":"pitstop_terminate"/g) ?? [];
const buttons = (blocks: unknown[]) =>
  JSON.stringify(blocks).match(/"action_id":"pitstop_(approve|deny|approve_all)"/g) ?? [];

describe('SlackNotifier through the outbox, with the orchestrator on the OCI and Slurm simulators', () => {
  it('posts each event once, updates it in place on decisions, and fills its thread phase by phase to the outcome', async () => {
    const clock = new ManualClock(START, true);
    sim = await startSlack(clock);
    const { orchestrator, store, notifier, outbox } = await rig(clock);
    await orchestrator.sweep();
    await orchestrator.sweep();
    await outbox.idle();
    const history = sim.conversations.history(CHANNEL);
    expect(history).toHaveLength(4);
    for (const { id } of Object.values(EVENTS)) {
      const message = messageOf(id)!;
      expect(store.findByEvent(id)?.slack).toEqual({ channel: CHANNEL, ts: message.ts });
      expect(buttons(message.blocks)).toEqual([
        '"action_id":"pitstop_approve"',
        '"action_id":"pitstop_deny"',
      ]);
    }
    expect(JSON.stringify(messageOf(EVENTS.flex.id)!.blocks)).toContain('gpu-1');

    await orchestrator.approve('gpu-1', 'alice', 'cli');
    await orchestrator.deny(EVENTS.broken.id, 'U0BOB', 'slack', 'training run until Friday');
    await orchestrator.idle();
    await outbox.idle();

    expect(store.findByEvent(EVENTS.flex.id)).toBeUndefined(); // finished
    const approved = messageOf(EVENTS.flex.id)!;
    expect(approved.edited).toBeDefined();
    expect(buttons(approved.blocks)).toEqual([]);
    const shown = JSON.stringify(approved.blocks);
    expect(shown).toContain('Approved by alice (via cli)');
    expect(shown).toContain('Back in service');
    expect(shown).toContain('■■■■■■■ 7/7 done');
    // The facts read at announcement stay in every update: the shape from OCI, the GPUs from Slurm.
    expect(shown).toContain(HEALTHY_SHAPE);
    expect(shown).toMatch(/\*GPUs\*\\n\d+/);
    const denied = JSON.stringify(messageOf(EVENTS.broken.id)!.blocks);
    expect(denied).toContain('Denied by <@U0BOB>');
    expect(denied).toContain('training run until Friday');

    const thread = threadOf(EVENTS.flex.id);
    // Exactly what the notifier was asked to say, in the order it was said: nothing lost, nothing doubled.
    expect(thread).toEqual(notifier.said.get(jobIdFor(EVENTS.flex.id)));
    expect(thread.join('\n')).toMatch(
      /Approved by alice[\s\S]*draining \(reason "pitstop job-[\s\S]*is drained[\s\S]*Maintenance scheduled[\s\S]*work request[\s\S]*Maintenance SUCCEEDED[\s\S]*Health PASS[\s\S]*✅[\s\S]*gpu-1 resumed[\s\S]*back in service/,
    );
    expect(sim.count('chat.update', 'ok')).toBeGreaterThan(0);
    expect(sim.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('loses nothing in a 429 storm and keeps within the budget: each Retry-After waited out', async () => {
    const clock = new ManualClock(START, true);
    sim = await startSlack(clock, { seed: 7 });
    for (const method of ['chat.postMessage', 'chat.update']) {
      sim.faults.set(method, { throttleRate: 0.4, retryAfterSeconds: 3 });
    }
    const { orchestrator, notifier, outbox } = await rig(clock);
    await orchestrator.sweep();
    await orchestrator.approve('gpu-1', 'U0ALICE', 'slack');
    await orchestrator.approve(EVENTS.failing.id, 'U0ALICE', 'slack');
    await orchestrator.idle();
    await outbox.idle();

    expect(outbox.stats()).toMatchObject({ queued: 0, dropped: 0 });
    expect(outbox.stats().rateLimited).toBeGreaterThan(5);
    expect(sim.conversations.history(CHANNEL)).toHaveLength(4);
    for (const [jobId, said] of notifier.said) {
      const ref = outbox.messageOf(jobId)!;
      expect(sim.conversations.replies(CHANNEL, ref.ts).map((m) => m.text)).toEqual(said);
    }
    // The outbox's budget (1 a second, bursts of 2) and the simulator's own limits: none of its 429s were earned.
    expect(busiestSecond(sim, 'chat.postMessage')).toBeLessThanOrEqual(3);
    expect(sim.calls.filter((c) => c.status === 429 && c.fault === undefined)).toEqual([]);
  });

  it('lets the pipeline finish while Slack is down for minutes; the messages then catch up, in order, none lost', async () => {
    const clock = new ManualClock(START);
    sim = await startSlack(clock);
    const { orchestrator, store, notifier, outbox } = await rig(clock);
    await orchestrator.sweep();
    await sendAll(outbox, clock);
    sim.outage(10 * 60_000);
    await orchestrator.approve('gpu-1', 'U0ALICE', 'slack');
    await orchestrator.idle();

    expect(store.findByEvent(EVENTS.flex.id)).toBeUndefined(); // finished, while Slack was down
    expect(outbox.stats().queued).toBeGreaterThan(10);
    const ref = outbox.messageOf(jobIdFor(EVENTS.flex.id))!;
    expect(sim.conversations.replies(CHANNEL, ref.ts)).toEqual([]);
    expect(sim.calls.some((c) => c.fault === 'outage')).toBe(true);

    await sendAll(outbox, clock);
    expect(outbox.stats()).toMatchObject({ queued: 0, dropped: 0 });
    expect(sim.conversations.replies(CHANNEL, ref.ts).map((m) => m.text)).toEqual(
      notifier.said.get(ref.jobId),
    );
    expect(JSON.stringify(sim.conversations.message(CHANNEL, ref.ts)!.blocks)).toContain('Back in service');
  });

  it('after a restart in the middle, writes into the same thread and announces nothing again', async () => {
    const clock = new ManualClock(START);
    sim = await startSlack(clock);
    const first = await rig(clock);
    await first.orchestrator.sweep();
    await sendAll(first.outbox, clock);
    sim.outage(60 * 60_000);
    await first.orchestrator.approve('gpu-1', 'U0ALICE', 'slack');
    const jobId = jobIdFor(EVENTS.flex.id);
    const ts = first.store.get(jobId)!.slack!.ts;
    // Stopped with the approval's update and thread lines still unsent.
    await first.close();
    await first.outbox.stop();
    rigs.splice(0);
    outboxes.splice(0);
    const queued = first.outbox.stats().queued;
    expect(queued).toBeGreaterThan(0);

    clock.advance(60 * 60_000);
    const second = await rig(clock);
    expect(second.outbox.stats().queued).toBe(queued);
    await second.orchestrator.start();
    await second.orchestrator.idle();
    await sendAll(second.outbox, clock);

    expect(sim.conversations.history(CHANNEL)).toHaveLength(4);
    const said = [...(first.notifier.said.get(jobId) ?? []), ...(second.notifier.said.get(jobId) ?? [])];
    expect(sim.conversations.replies(CHANNEL, ts).map((m) => m.text)).toEqual(said);
    expect(said.at(-1)).toMatch(/back in service/);
  });

  it('posts one digest with Approve all when a sweep finds more new events than the threshold', async () => {
    const clock = new ManualClock(START, true);
    sim = await startSlack(clock);
    const { orchestrator, store, outbox } = await rig(clock, { digestThreshold: 3 });
    await orchestrator.sweep();
    await outbox.idle();
    const history = sim.conversations.history(CHANNEL);
    expect(history).toHaveLength(5);
    const digest = history.at(-1)!;
    expect(digest.text).toMatch(/^4 new maintenance events/);
    const approveAll = JSON.stringify(digest.blocks).match(/"value":"([^"]+)"/)![1];
    expect(jobIdsOfDigest(approveAll)?.sort()).toEqual(
      store
        .list()
        .map((j) => j.id)
        .sort(),
    );
    await orchestrator.sweep();
    await outbox.idle();
    expect(sim.conversations.history(CHANNEL)).toHaveLength(5);
  });

  it.each([true, false])(
    'with TRIAGE_TERMINATE=%s, the verdict that kept a failed node out offers Terminate instance (or not)',
    async (offerTerminate) => {
      const clock = new ManualClock(START, true);
      sim = await startSlack(clock);
      const { orchestrator, store, notifier, outbox } = await rig(clock, { offerTerminate });
      await orchestrator.sweep();
      const parts = { cloud: pipeline.oci.cloud, cluster: pipeline.cluster, clock: pipeline.clock };
      const keptOut = await keptOutJob(store, parts, EVENTS.flex.id, EVENTS.flex.node);
      const triage = { ...keptOut, phase: 'triage' as const };
      await notifier.phaseChanged(keptOut, triage);
      await outbox.idle();
      const replies = sim.conversations.replies(CHANNEL, messageOf(EVENTS.flex.id)!.ts);
      const verdict = replies.find((m) => m.text.includes('kept out'))!;
      expect(verdict.text).toContain('*gpu-1 kept out:*');
      expect(terminateButtons(verdict.blocks)).toHaveLength(offerTerminate ? 1 : 0);
      expect(replies.flatMap((m) => terminateButtons(m.blocks))).toHaveLength(offerTerminate ? 1 : 0);
    },
  );
});
