/**
 * Chaos, Slack: Pitstop's Bolt app in HTTP mode (signed requests, as Slack signs them) over the
 * orchestrator on the simulators: forged, stale and replayed requests, someone who may not
 * approve, a click on a finished job, payloads with unknown or oversized fields, injection
 * attempts in /pitstop, and the Web API down while a job runs.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { jobIdFor } from '../../src/domain/job.js';
import { findButton, slackSignature } from '../../src/sim/slack/driver.js';
import { blockActions, slashCommand } from '../../src/sim/slack/payloads.js';
import { CHANNEL, type SlackRig, slackRig } from '../slack/rig.js';
import { EVENTS } from '../support/pipeline.js';
import { Captured, secretsCase } from './captured.js';
import { type ChaosCase, runMatrix } from './matrix.js';
import { fleetRecord } from './pipeline-world.js';

const captured = new Captured();
const FORM = 'application/x-www-form-urlencoded';
const flex = EVENTS.flex;
/** What an injected command would leave behind if any of it ran in a shell. */
const MARKER = join(tmpdir(), `pitstop-chaos-injected-${process.pid}`);

/** POSTs `body` to the app's request URL, signed with the workspace's secret at `timestamp`. */
async function signedPost(rig: SlackRig, body: string, contentType: string, timestamp: number) {
  const response = await fetch(`http://127.0.0.1:${rig.slack.port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(rig.sim.workspace.signingSecret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  captured.add('Bolt answer', text);
  return response.status;
}

/** The body Slack would send for `user` clicking Approve on the event message at `ts`. */
function approveClick(rig: SlackRig, user: string, ts: string, extra: Record<string, unknown> = {}): string {
  const message = rig.sim.conversations.message(CHANNEL, ts)!;
  const payload = blockActions(rig.sim.workspace, {
    user: rig.sim.workspace.users.find((u) => u.id === user)!,
    channelName: rig.sim.conversations.info(CHANNEL).name,
    message,
    button: findButton(message, 'pitstop_approve', undefined),
    triggerId: rig.sim.surfaces.issueTrigger(user),
    responseUrl: rig.sim.responseUrl({ channel: CHANNEL, user, messageTs: ts }),
    actionTs: `${Math.floor(Date.now() / 1000)}.000100`,
  });
  return new URLSearchParams({ payload: JSON.stringify({ ...payload, ...extra }) }).toString();
}

function slashBody(rig: SlackRig, user: string, text: string): string {
  const fields = slashCommand(rig.sim.workspace, {
    user: rig.sim.workspace.users.find((u) => u.id === user)!,
    channel: { id: CHANNEL, name: rig.sim.conversations.info(CHANNEL).name },
    command: '/pitstop',
    text,
    triggerId: rig.sim.surfaces.issueTrigger(user),
    responseUrl: rig.sim.responseUrl({ channel: CHANNEL, user }),
  });
  return new URLSearchParams(fields).toString();
}

const now = () => Math.floor(Date.now() / 1000);
const approvals = async (rig: SlackRig) =>
  (await rig.audit()).filter(
    (r) => r.type === 'transition' && (r.action as { type: string }).type === 'approve',
  );

/** A case on a fresh rig with the event message posted; `act` attacks, then the invariants. */
function slackCase(
  name: string,
  fault: string,
  expected: string,
  act: (rig: SlackRig, ts: string) => Promise<void>,
  options: { slackNotifier?: boolean } = {},
): ChaosCase<Captured> {
  return {
    group: 'slack',
    name,
    fault,
    expected,
    async run(captured) {
      const rig = await slackRig('http', { slackNotifier: options.slackNotifier ?? false });
      captured.secret('Slack bot token', rig.sim.workspace.botToken);
      captured.secret('Slack app token', rig.sim.workspace.appToken);
      captured.secret('Slack signing secret', rig.sim.workspace.signingSecret);
      captured.ociKey('OCI key', rig.pipeline.oci.sim.credentials);
      try {
        const ts = options.slackNotifier
          ? await (async () => {
              await rig.orchestrator.sweep();
              await rig.outbox!.idle();
              return rig.outbox!.messageOf(rig.store.findByEvent(flex.id)!.id)!.ts;
            })()
          : (await rig.announce()).get(flex.id)!;
        await act(rig, ts);
        await rig.orchestrator.idle();
        return await fleetRecord(rig.pipeline, rig.store.auditFile, rig.stateFile);
      } finally {
        const health = await fetch(`http://127.0.0.1:${rig.slack.port}/healthz`).catch(() => undefined);
        if (health) captured.add('/healthz', await health.text());
        await rig.stop();
      }
    },
  };
}

/** `/pitstop` with `text` from an approver: answered, nothing decided, nothing run. */
const injection = (name: string, text: string) =>
  slackCase(
    `/pitstop with ${name}`,
    `an approver types /pitstop ${JSON.stringify(text.length > 60 ? `${text.slice(0, 40)}…` : text)}`,
    'answered with the usage or a refusal; nothing decided; nothing of it runs',
    async (rig) => {
      expect(await signedPost(rig, slashBody(rig, 'U0ALICE', text), FORM, now())).toBe(200);
      await rig.orchestrator.idle();
      expect(rig.store.findByEvent(flex.id)?.phase).toBe('awaiting_approval');
      expect(existsSync(MARKER)).toBe(false);
    },
  );

const CASES: ChaosCase<Captured>[] = [
  slackCase(
    'forged signature',
    'Approve signed with a wrong secret',
    '401; nothing decided',
    async (rig, ts) => {
      expect(
        (
          await rig.driver.click(
            'U0ALICE',
            { channel: CHANNEL, ts, actionId: 'pitstop_approve' },
            { forgeSignature: true },
          )
        ).status,
      ).toBe(401);
      expect(await approvals(rig)).toEqual([]);
    },
  ),
  slackCase(
    'stale signature',
    'Approve correctly signed 6 minutes ago',
    '401; nothing decided',
    async (rig, ts) => {
      const body = approveClick(rig, 'U0ALICE', ts);
      expect(await signedPost(rig, body, FORM, now() - 6 * 60)).toBe(401);
      expect(await approvals(rig)).toEqual([]);
    },
  ),
  slackCase(
    'replayed request',
    'the same signed Approve sent three times (a replay within the 5 minutes)',
    'one approval, one drain',
    async (rig, ts) => {
      const body = approveClick(rig, 'U0ALICE', ts);
      const at = now();
      for (let i = 0; i < 3; i++) expect(await signedPost(rig, body, FORM, at)).toBe(200);
      await rig.decided(flex.id);
      await rig.orchestrator.idle();
      expect(await approvals(rig)).toHaveLength(1);
      expect(rig.pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
    },
  ),
  slackCase(
    'unauthorized approver',
    'someone not in SLACK_APPROVERS clicks Approve',
    'refused in an ephemeral, audited; nothing decided',
    async (rig, ts) => {
      await rig.driver.click('U0MALLORY', { channel: CHANNEL, ts, actionId: 'pitstop_approve' });
      await vi.waitFor(() => expect(rig.sim.conversations.ephemeralFor('U0MALLORY')).toHaveLength(1));
      expect((await rig.audit()).filter((r) => r.type === 'refused')).toHaveLength(1);
      expect(await approvals(rig)).toEqual([]);
    },
  ),
  slackCase(
    'approve on a finished job',
    'Approve clicked on the message of an event that was denied (finished)',
    'told how it ended; nothing decided',
    async (rig, ts) => {
      await rig.orchestrator.deny(flex.id, 'U0BOB', 'cli', 'freeze week');
      await rig.driver.click('U0ALICE', { channel: CHANNEL, ts, actionId: 'pitstop_approve' });
      await vi.waitFor(() =>
        expect(
          rig.sim.conversations
            .ephemeralFor('U0ALICE')
            .map((e) => e.text)
            .join(),
        ).toMatch(/denied|Denied/),
      );
      expect(await approvals(rig)).toEqual([]);
      expect(rig.pipeline.slurmUpdates).toEqual([]);
    },
  ),
  slackCase(
    'unknown and oversized payload fields',
    'an Approve by a non-approver carrying unknown fields and a 200 KB value; then a body that is not a payload',
    'no crash, nothing decided; the app still answers',
    async (rig, ts) => {
      const big = 'x'.repeat(200_000);
      const body = approveClick(rig, 'U0MALLORY', ts, { surprise: { nested: [1, 2, 3] }, huge: big });
      expect(await signedPost(rig, body, FORM, now())).toBeLessThan(500);
      expect(await signedPost(rig, 'payload=%7Bnot%20json', FORM, now())).toBeLessThan(500);
      expect(await approvals(rig)).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${rig.slack.port}/healthz`)).status).toBeLessThan(600);
      expect(rig.store.findByEvent(flex.id)?.phase).toBe('awaiting_approval');
    },
  ),
  injection('"; rm -rf /"', `approve gpu-1; rm -rf / ; touch ${MARKER}`),
  injection('backticks', `approve \`touch ${MARKER}\``),
  injection('$()', `approve gpu-1$(touch ${MARKER})`),
  injection('a newline', `status gpu-1\ntouch ${MARKER}`),
  injection('a 10 KB argument', `approve ${'g'.repeat(10_240)}`),
  slackCase(
    'Web API down',
    'every Web API call answers 503 for 8 s while an approved job runs to its end',
    'the job finishes anyway; the thread catches up once Slack is back, none lost',
    async (rig) => {
      rig.sim.outage(8_000);
      await rig.orchestrator.approve(flex.id, 'U0ALICE', 'cli');
      await rig.orchestrator.idle();
      expect(rig.store.findByEvent(flex.id)).toBeUndefined();
      await rig.outbox!.idle();
      expect(rig.outbox!.stats()).toMatchObject({ queued: 0, dropped: 0 });
      const ref = rig.outbox!.messageOf(jobIdFor(flex.id))!;
      const thread = rig.sim.conversations.replies(CHANNEL, ref.ts).map((m) => m.text);
      expect(thread.join('\n')).toMatch(/draining[\s\S]*gpu-1 resumed/);
      expect(rig.sim.calls.some((c) => c.fault === 'outage')).toBe(true);
    },
    { slackNotifier: true },
  ),
];

describe('chaos: Slack', () => {
  runMatrix([...CASES, secretsCase(captured)], () => captured);
});
