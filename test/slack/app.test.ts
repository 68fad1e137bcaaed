import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { digestMessage } from '../../src/slack/blocks/digest-message.js';
import { digestIdFor } from '../../src/slack/digest.js';
import { EVENTS } from '../support/pipeline.js';
import { CHANNEL, type Mode, type SlackRig, slackRig } from './rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const flex = EVENTS.flex;

const ephemeralTexts = (r: SlackRig, user: string) =>
  r.sim.conversations.ephemeralFor(user).map((e) => e.text);

const transitions = (records: Record<string, unknown>[], type: string) =>
  records.filter((r) => r.type === 'transition' && (r.action as { type: string }).type === type);

describe.each<Mode>(['http', 'socket'])('the Bolt app in %s mode, end to end', (mode) => {
  it('Approve (confirmed) approves the job once, by <@U…> via slack, and it runs to the node resumed', async () => {
    rig = await slackRig(mode);
    const ts = (await rig.announce()).get(flex.id)!;
    const jobId = rig.store.findByEvent(flex.id)!.id;
    const delivered = await rig.driver.click('U0ALICE', {
      channel: CHANNEL,
      ts,
      actionId: 'pitstop_approve',
    });
    expect(delivered.status).toBe(200);
    await rig.decided(flex.id);
    await rig.orchestrator.idle();
    const audit = await rig.audit();
    expect(transitions(audit, 'approve')).toEqual([
      expect.objectContaining({ jobId, action: { type: 'approve', by: 'U0ALICE', via: 'slack' } }),
    ]);
    const finished = audit.find((r) => r.type === 'finished') as {
      job: { outcome: string; approval: object };
    };
    expect(finished.job, JSON.stringify(finished.job)).toMatchObject({ outcome: 'returned' });
    expect(finished.job.approval).toMatchObject({ by: 'U0ALICE', via: 'slack', decision: 'approved' });
    expect(rig.notifier.thread(flex.id)).toEqual(
      expect.arrayContaining(['awaiting_approval → draining', 'triage → bookkeeping', 'bookkeeping → done']),
    );
    expect(rig.pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
    expect(ephemeralTexts(rig, 'U0ALICE')).toEqual([]);
  });

  it('Deny opens the modal (views.open); its submission denies the job with the reason as typed', async () => {
    rig = await slackRig(mode);
    const ts = (await rig.announce()).get(flex.id)!;
    const jobId = rig.store.findByEvent(flex.id)!.id;
    await rig.driver.click('U0BOB', { channel: CHANNEL, ts, actionId: 'pitstop_deny' });
    await vi.waitFor(() => expect(rig!.sim.surfaces.modal('U0BOB')?.callback_id).toBe('pitstop_deny_modal'));
    expect(rig.sim.count('views.open', 'ok')).toBe(1);
    expect(rig.sim.surfaces.modal('U0BOB')?.private_metadata).toBe(jobId);
    const reason = 'ML team training run until Friday — ask <@U0ALICE>';
    expect((await rig.driver.submitModal('U0BOB', { reason_input: reason })).status).toBe(200);
    await rig.decided(flex.id);
    const finished = (await rig.audit()).find((r) => r.type === 'finished') as {
      job: { outcome: string; reason: string; approval: object };
    };
    expect(finished.job).toMatchObject({
      outcome: 'denied',
      reason: `denied by U0BOB: ${reason}`,
      approval: { by: 'U0BOB', via: 'slack', decision: 'denied' },
    });
    expect(rig.pipeline.slurmUpdates).toEqual([]);
  });

  it('keeps the Deny modal open and asks why when the reason is blank', async () => {
    rig = await slackRig(mode);
    const ts = (await rig.announce()).get(flex.id)!;
    await rig.driver.click('U0BOB', { channel: CHANNEL, ts, actionId: 'pitstop_deny' });
    await vi.waitFor(() => expect(rig!.sim.surfaces.modal('U0BOB')).toBeDefined());
    const delivered = await rig.driver.submitModal('U0BOB', { reason_input: '   ' });
    expect(delivered.body).toEqual({
      response_action: 'errors',
      errors: { reason: 'Say why the maintenance is denied.' },
    });
    expect(rig.sim.surfaces.modal('U0BOB')).toBeDefined();
    expect(rig.store.findByEvent(flex.id)?.phase).toBe('awaiting_approval');
  });

  it('refuses a click by someone who is not an approver: ephemeral, audited, nothing decided', async () => {
    rig = await slackRig(mode);
    const ts = (await rig.announce()).get(flex.id)!;
    const job = rig.store.findByEvent(flex.id)!;
    await rig.driver.click('U0MALLORY', { channel: CHANNEL, ts, actionId: 'pitstop_approve' });
    await rig.driver.click('U0MALLORY', { channel: CHANNEL, ts, actionId: 'pitstop_deny' });
    await vi.waitFor(() => expect(ephemeralTexts(rig!, 'U0MALLORY')).toHaveLength(2));
    expect(ephemeralTexts(rig, 'U0MALLORY')[0]).toBe(
      `You may not approve event \`${flex.id}\` on *gpu-1*: only Pitstop's approvers (SLACK_APPROVERS) may decide. Nothing was changed; ask one of them, or ask to be added.`,
    );
    expect(rig.sim.count('views.open')).toBe(0);
    expect(rig.store.get(job.id)?.phase).toBe('awaiting_approval');
    const refused = (await rig.audit()).filter((r) => r.type === 'refused');
    expect(refused).toEqual([
      expect.objectContaining({
        by: 'U0MALLORY',
        via: 'slack',
        action: 'approve',
        jobId: job.id,
        eventId: flex.id,
        node: 'gpu-1',
        at: expect.any(String),
      }),
      expect.objectContaining({ by: 'U0MALLORY', action: 'deny', jobId: job.id }),
    ]);
  });

  it('lets a member of an approver user group decide, reading the group once for several checks', async () => {
    rig = await slackRig(mode, {
      approvers: ['S0GPUOPS'],
      usergroups: [{ id: 'S0GPUOPS', handle: 'gpu-ops', users: ['U0BOB'] }],
    });
    const ts = (await rig.announce()).get(flex.id)!;
    await rig.driver.click('U0MALLORY', { channel: CHANNEL, ts, actionId: 'pitstop_approve' });
    await vi.waitFor(() => expect(ephemeralTexts(rig!, 'U0MALLORY')).toHaveLength(1));
    await rig.driver.click('U0BOB', { channel: CHANNEL, ts, actionId: 'pitstop_approve' });
    await rig.decided(flex.id);
    expect(rig.store.findByEvent(flex.id)?.approval).toMatchObject({ by: 'U0BOB', via: 'slack' });
    expect(rig.sim.count('usergroups.users.list', 'ok')).toBe(1);
  });

  it('starts one job for a double click, a second approver at once and a retried delivery', async () => {
    rig = await slackRig(mode);
    const ts = (await rig.announce()).get(flex.id)!;
    const click = { channel: CHANNEL, ts, actionId: 'pitstop_approve' };
    await Promise.all([
      rig.driver.click('U0ALICE', click),
      rig.driver.click('U0ALICE', click),
      rig.driver.click('U0BOB', click),
    ]);
    await rig.driver.click('U0ALICE', click, { retryNum: 1, retryReason: 'http_timeout' });
    await rig.decided(flex.id);
    await rig.orchestrator.idle();
    const audit = await rig.audit();
    expect(transitions(audit, 'approve')).toHaveLength(1);
    expect(transitions(audit, 'drained')).toHaveLength(1);
    const winner = (transitions(audit, 'approve')[0]!.action as { by: string }).by;
    const loser = winner === 'U0ALICE' ? 'U0BOB' : 'U0ALICE';
    // One answer per person and job a minute, however often they clicked.
    await vi.waitFor(() => expect(ephemeralTexts(rig!, loser)).toHaveLength(1));
    expect(ephemeralTexts(rig, loser)[0]).toMatch(
      new RegExp(
        `^Nothing done: event \`${flex.id.replaceAll('.', '\\.')}\` on \\*gpu-1\\* was already decided\\. .*Approved by <@${winner}> at \\d\\d:\\d\\d UTC\\.$`,
      ),
    );
    // The retry of the click that worked stays quiet; the plain second click is told.
    if (winner === 'U0ALICE') expect(ephemeralTexts(rig, 'U0ALICE')).toHaveLength(1);
  });

  it('Approve all on a digest approves each job it names still awaiting approval, once, and says what it skipped', async () => {
    rig = await slackRig(mode);
    await rig.announce();
    const jobs = rig.store.list();
    const mapped = jobs.filter((job) => job.node !== undefined);
    const { ts } = await new WebClient(rig.sim.workspace.botToken, {
      slackApiUrl: rig.sim.apiUrl,
    }).chat.postMessage({
      channel: CHANNEL,
      ...digestMessage({ id: digestIdFor(jobs), jobs }),
    });
    const click = { channel: CHANNEL, ts: ts!, actionId: 'pitstop_approve_all', value: digestIdFor(jobs) };
    expect((await rig.driver.click('U0ALICE', click)).status).toBe(200);
    await vi.waitFor(() => expect(ephemeralTexts(rig!, 'U0ALICE')).toHaveLength(1));
    expect(ephemeralTexts(rig, 'U0ALICE')[0]).toMatch(
      new RegExp(`^Approved ${mapped.length} of ${jobs.length}: `),
    );
    // A second click finds them decided: nothing is approved twice.
    expect((await rig.driver.click('U0ALICE', click)).status).toBe(200);
    await vi.waitFor(() => expect(ephemeralTexts(rig!, 'U0ALICE')).toHaveLength(2));
    expect(ephemeralTexts(rig, 'U0ALICE')[1]).toMatch(/^Approved 0 of \d+: none\. Skipped/);
    expect(transitions(await rig.audit(), 'approve')).toHaveLength(mapped.length);
  });

  it('publishes the Home tab when opened: jobs by phase, nodes out, running or paused', async () => {
    rig = await slackRig(mode);
    await rig.announce();
    await rig.orchestrator.pause('U0ALICE', 'change freeze');
    expect((await rig.driver.openHome('U0BOB')).status).toBe(200);
    await vi.waitFor(() => expect(rig!.sim.surfaces.home('U0BOB')).toBeDefined());
    const text = JSON.stringify(rig.sim.surfaces.home('U0BOB')!.blocks);
    expect(text).toContain('Paused');
    expect(text).toContain('change freeze');
    expect(text).toContain('awaiting approval* (4)');
  });

  it('keeps an opened Home tab current when a job changes, and publishes nothing when none did', async () => {
    rig = await slackRig(mode);
    await rig.announce();
    expect((await rig.driver.openHome('U0BOB')).status).toBe(200);
    await vi.waitFor(() => expect(rig!.sim.surfaces.home('U0BOB')).toBeDefined());
    const publishes = () => rig!.sim.count('views.publish', 'ok');
    const before = publishes();

    await rig.slack.homeRefresh.refresh();
    expect(publishes()).toBe(before);

    await rig.orchestrator.deny(flex.id, 'U0ALICE', 'slack', 'not now');
    await rig.slack.homeRefresh.refresh();
    expect(publishes()).toBe(before + 1);
    expect(JSON.stringify(rig.sim.surfaces.home('U0BOB')!.blocks)).toContain('awaiting approval* (3)');
  });
});

describe('the Bolt app in HTTP mode, at its door', () => {
  it('refuses a forged signature and a stale timestamp with 401, deciding nothing', async () => {
    rig = await slackRig('http');
    const ts = (await rig.announce()).get(flex.id)!;
    const click = { channel: CHANNEL, ts, actionId: 'pitstop_approve' };
    expect((await rig.driver.click('U0ALICE', click, { forgeSignature: true })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await rig.driver.click('U0ALICE', click, { timestamp: stale })).status).toBe(401);
    expect(
      (await rig.driver.command('U0ALICE', CHANNEL, '/pitstop pause', { forgeSignature: true })).status,
    ).toBe(401);
    expect(rig.store.findByEvent(flex.id)?.phase).toBe('awaiting_approval');
    expect(rig.orchestrator.paused()).toBeUndefined();
  });

  it('serves GET /healthz beside /slack/events on PORT, and no control route', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const base = `http://127.0.0.1:${rig.slack.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503); // started() was not called: no sweep on schedule yet
    expect(await health.json()).toMatchObject({ jobsByPhase: { awaiting_approval: 4 } });
    const control = await fetch(`${base}/control/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref: flex.id, by: 'x' }),
    });
    expect(control.status).toBe(404);
    expect(rig.store.findByEvent(flex.id)?.phase).toBe('awaiting_approval');
  });
});
