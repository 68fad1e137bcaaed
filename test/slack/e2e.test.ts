/**
 * The whole Slack path as `serve` runs it: the real Bolt app takes the click, the orchestrator
 * works the job on the OCI and Slurm simulators, and the real SlackNotifier posts through its
 * outbox into the Slack simulator, where the message and its thread are read as a person sees them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../support/pipeline.js';
import { CHANNEL, type Mode, type SlackRig, slackRig } from './rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const messageOf = (r: SlackRig, eventId: string) =>
  r.sim.conversations.history(CHANNEL).find((m) => m.text.includes(eventId));
const threadOf = (r: SlackRig, eventId: string) =>
  r.sim.conversations.replies(CHANNEL, messageOf(r, eventId)!.ts).map((m) => m.text);
const buttons = (blocks: unknown[]) => JSON.stringify(blocks).match(/"action_id":"pitstop_\w+"/g) ?? [];

describe.each<Mode>(['http', 'socket'])(
  'Slack end to end in %s mode: Bolt app, orchestrator, notifier',
  (mode) => {
    it('posts the event, takes Approve, fills the thread phase by phase and shows the node resumed', async () => {
      rig = await slackRig(mode, { slackNotifier: true });
      await rig.orchestrator.sweep();
      await rig.outbox!.idle();
      const posted = messageOf(rig, EVENTS.flex.id)!;
      expect(buttons(posted.blocks)).toEqual(['"action_id":"pitstop_approve"', '"action_id":"pitstop_deny"']);

      const click = await rig.driver.click('U0ALICE', {
        channel: CHANNEL,
        ts: posted.ts,
        actionId: 'pitstop_approve',
      });
      expect(click.status).toBe(200);
      await rig.decided(EVENTS.flex.id);
      await rig.orchestrator.idle();
      await rig.outbox!.idle();

      const after = messageOf(rig, EVENTS.flex.id)!;
      expect(after.ts).toBe(posted.ts);
      expect(after.edited).toBeDefined();
      expect(buttons(after.blocks)).toEqual([]);
      const shown = JSON.stringify(after.blocks);
      expect(shown).toContain('Approved by <@U0ALICE>');
      expect(shown).toContain('Back in service');
      expect(threadOf(rig, EVENTS.flex.id).join('\n')).toMatch(
        /Approved by <@U0ALICE>[\s\S]*draining \(reason "pitstop job-[\s\S]*Maintenance SUCCEEDED[\s\S]*Health PASS[\s\S]*✅[\s\S]*gpu-1 resumed/,
      );
      expect(rig.pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);

      // Answers and Home tabs go through the same outbox as everything else.
      const pending = messageOf(rig, EVENTS.failing.id)!;
      await rig.driver.click('U0MALLORY', { channel: CHANNEL, ts: pending.ts, actionId: 'pitstop_approve' });
      await rig.driver.openHome('U0BOB');
      await vi.waitFor(() =>
        expect(rig!.outbox!.stats().sent).toMatchObject({ 'chat.postEphemeral': 1, 'views.publish': 1 }),
      );
      expect(rig.sim.conversations.ephemeralFor('U0MALLORY').map((e) => e.text)).toEqual([
        expect.stringMatching(/^You may not approve .*only Pitstop's approvers/),
      ]);
      expect(rig.sim.surfaces.home('U0BOB')).toBeDefined();
    });

    it('takes Deny through the modal and shows the reason as typed, leaving the node alone', async () => {
      rig = await slackRig(mode, { slackNotifier: true });
      await rig.orchestrator.sweep();
      await rig.outbox!.idle();
      const posted = messageOf(rig, EVENTS.broken.id)!;
      await rig.driver.click('U0BOB', { channel: CHANNEL, ts: posted.ts, actionId: 'pitstop_deny' });
      await vi.waitFor(() => expect(rig!.sim.surfaces.modal('U0BOB')).toBeDefined());
      await rig.driver.submitModal('U0BOB', { reason_input: 'training run of the ML team until Friday' });
      await rig.decided(EVENTS.broken.id);
      await rig.outbox!.idle();

      const shown = JSON.stringify(messageOf(rig, EVENTS.broken.id)!.blocks);
      expect(shown).toContain('Denied by <@U0BOB>');
      expect(shown).toContain('training run of the ML team until Friday');
      expect(buttons(messageOf(rig, EVENTS.broken.id)!.blocks)).toEqual([]);
      expect(rig.pipeline.slurmUpdates).toEqual([]);
    });
  },
);
