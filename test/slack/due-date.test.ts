/**
 * The hard due date's question in Slack: the real SlackNotifier posts the warning with its two
 * buttons into the event's thread, the real Bolt app takes the clicks, the orchestrator decides.
 * The warning is applied here as the drain's worker applies it (the worker's own path is the
 * orchestrator's test): the job waits paused, so the clicks land on a drain that still waits.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { EVENTS, START } from '../support/pipeline.js';
import { CHANNEL, type SlackRig, slackRig } from './rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const { id: eventId, node } = EVENTS.flex;
const DUE = new Date(START.getTime() + 5 * 3_600_000);

const messageOf = (r: SlackRig) =>
  r.sim.conversations.history(CHANNEL).find((m) => m.text.includes(eventId))!;
const threadOf = (r: SlackRig) => r.sim.conversations.replies(CHANNEL, messageOf(r).ts);
const ephemeralTexts = (r: SlackRig, user: string) =>
  r.sim.conversations.ephemeralFor(user).map((e) => e.text);

/** gpu-1 approved (its drain held by a pause), a Slurm job on it, and the warning posted in its thread. */
async function warned(): Promise<{ r: SlackRig; job: MaintenanceJob; warningTs: string }> {
  const r = await slackRig('http', { slackNotifier: true, pipeline: { dueAt: { [eventId]: DUE } } });
  rig = r;
  r.pipeline.slurm.submit(node, { durationMs: 48 * 3_600_000, user: 'alice', name: 'llm' });
  await r.orchestrator.sweep();
  await r.orchestrator.pause('U0ALICE', 'held for the test');
  const approved = await r.orchestrator.approve(node, 'U0ALICE', 'cli');
  const slurmJobs = await r.pipeline.cluster.slurmJobsOn(node);
  const job = await r.store.apply(approved.id, { type: 'due_warned', slurmJobs });
  await r.notifier.phaseChanged(job, approved);
  await r.outbox!.idle();
  const warning = threadOf(r).find((m) => JSON.stringify(m.blocks).includes('pitstop_due_proceed'));
  expect(warning, JSON.stringify(threadOf(r).map((m) => m.text))).toBeDefined();
  return { r, job, warningTs: warning!.ts };
}

const click = (r: SlackRig, user: string, ts: string, actionId: string) =>
  r.driver.click(user, { channel: CHANNEL, ts, actionId });

describe('Slack: the hard due date', () => {
  it('posts the warning once with both buttons; only an approver decides, once, and the job goes on with it', async () => {
    const { r, job, warningTs } = await warned();
    const warning = threadOf(r).find((m) => m.ts === warningTs)!;
    expect(JSON.stringify(warning.blocks)).toContain('owner *alice*');
    expect(JSON.stringify(warning.blocks)).toContain('pitstop_due_leave_to_oci');

    await click(r, 'U0MALLORY', warningTs, 'pitstop_due_proceed');
    await vi.waitFor(() => expect(ephemeralTexts(r, 'U0MALLORY')).toHaveLength(1));
    expect(ephemeralTexts(r, 'U0MALLORY')[0]).toMatch(
      /^You may not proceed now event .*only Pitstop's approvers/,
    );
    expect((await r.audit()).filter((a) => a.type === 'refused')).toEqual([
      expect.objectContaining({ by: 'U0MALLORY', action: 'proceed now', jobId: job.id }),
    ]);
    expect(r.store.get(job.id)?.dueDecision).toBeUndefined();

    expect((await click(r, 'U0ALICE', warningTs, 'pitstop_due_proceed')).status).toBe(200);
    await vi.waitFor(() =>
      expect(r.store.get(job.id)?.dueDecision).toMatchObject({
        choice: 'proceed',
        by: 'U0ALICE',
        via: 'slack',
      }),
    );
    await click(r, 'U0BOB', warningTs, 'pitstop_due_leave_to_oci');
    await vi.waitFor(() => expect(ephemeralTexts(r, 'U0BOB')).toHaveLength(1));
    expect(ephemeralTexts(r, 'U0BOB')[0]).toMatch(
      /^Nothing done: event .* was already decided: <@U0ALICE> chose to proceed now at \d\d:\d\d UTC\.$/,
    );
    expect(r.store.get(job.id)?.dueDecision?.choice).toBe('proceed');

    await r.orchestrator.unpause('U0ALICE');
    await r.orchestrator.idle();
    await r.outbox!.idle();
    const finished = (await r.audit()).find((a) => a.type === 'finished') as { job: MaintenanceJob };
    expect(finished.job).toMatchObject({
      outcome: 'returned',
      dueDecision: { choice: 'proceed', by: 'U0ALICE' },
    });
    const thread = threadOf(r)
      .map((m) => m.text)
      .join('\n');
    expect(thread).toContain(
      '<@U0ALICE> chose to proceed now: Pitstop stops waiting for the Slurm jobs on gpu-1',
    );
    expect(thread).toContain(
      'gpu-1 stays drained with Slurm jobs still running: <@U0ALICE> chose to proceed now.',
    );
    expect(threadOf(r).filter((m) => JSON.stringify(m.blocks).includes('pitstop_due_proceed'))).toHaveLength(
      1,
    );
    expect(ephemeralTexts(r, 'U0ALICE')).toEqual([]);
  });

  it('answers a click after the drain finished that it is not needed any more, deciding nothing', async () => {
    const { r, job, warningTs } = await warned();
    await r.store.apply(job.id, { type: 'drained', drainedBy: 'pitstop' });

    await click(r, 'U0BOB', warningTs, 'pitstop_due_leave_to_oci');
    await vi.waitFor(() => expect(ephemeralTexts(r, 'U0BOB')).toHaveLength(1));
    expect(ephemeralTexts(r, 'U0BOB')[0]).toMatch(
      /^Nothing done: event .* on \*gpu-1\*: not needed any more: the drain is over \(the job is in scheduling\)\.$/,
    );
    expect(r.store.get(job.id)?.dueDecision).toBeUndefined();
  });
});
