import { App, type AppOptions, type BlockAction, LogLevel } from '@slack/bolt';
import { afterEach } from 'vitest';
import { SlackSimulator } from '../../../src/sim/slack/server.js';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.js';

/** What the test app saw: each listener records the payload it handled. */
export interface Seen {
  approvals: { user: string; retryNum: number | undefined }[];
  commands: { user: string; text: string }[];
  denials: { user: string; reason: string | null | undefined }[];
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

export const eventMessage = (node: string) => ({
  text: `Maintenance event for ${node}`,
  blocks: [
    section(`*${node}*: firmware update`),
    {
      type: 'actions',
      block_id: 'decision',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.approve,
          style: 'primary',
          value: node,
          text: { type: 'plain_text', text: 'Approve' },
          confirm: {
            title: { type: 'plain_text', text: 'Approve?' },
            text: { type: 'plain_text', text: `Drain ${node}?` },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
        {
          type: 'button',
          action_id: ACTION_IDS.deny,
          style: 'danger',
          value: node,
          text: { type: 'plain_text', text: 'Deny' },
        },
      ],
    },
  ],
});

/** Progress the app posts in an approved event's thread, in this order. */
export const PROGRESS = ['Draining the node', 'Drained; maintenance scheduled'];

/**
 * A small Bolt app shaped like Pitstop's: Approve (by an approver) updates the message in place
 * and posts progress in its thread, anyone else gets an ephemeral refusal; Deny opens a modal whose
 * reason ends up in the message; `/pitstop` answers in its ack and through response_url; opening
 * Home publishes a view. Its Web API client talks to the simulator.
 */
export function boltApp(
  sim: SlackSimulator,
  mode: Pick<AppOptions, 'signingSecret' | 'appToken' | 'socketMode'>,
  /** Who may approve; everyone when left out. */
  approvers?: readonly string[],
) {
  const seen: Seen = { approvals: [], commands: [], denials: [] };
  const app = new App({
    token: sim.workspace.botToken,
    ...mode,
    clientOptions: { slackApiUrl: sim.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.action<BlockAction>(ACTION_IDS.approve, async ({ ack, body, client, context }) => {
    await ack();
    const channel = body.channel!.id;
    if (approvers && !approvers.includes(body.user.id)) {
      await client.chat.postEphemeral({ channel, user: body.user.id, text: 'Only approvers may approve.' });
      return;
    }
    seen.approvals.push({ user: body.user.id, retryNum: context.retryNum });
    const { ts, blocks = [] } = body.message!;
    await client.chat.update({
      channel,
      ts,
      text: `Approved by <@${body.user.id}>`,
      // The event's own blocks stay; its buttons give way to who decided.
      blocks: [
        ...(blocks as { type: string }[]).filter((b) => b.type !== 'actions'),
        section(`✅ Approved by <@${body.user.id}>`),
      ],
    });
    for (const text of PROGRESS) await client.chat.postMessage({ channel, thread_ts: ts, text });
  });
  app.action<BlockAction>(ACTION_IDS.deny, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'deny_reason',
        private_metadata: JSON.stringify({ channel: body.channel!.id, ts: body.message!.ts }),
        title: { type: 'plain_text', text: 'Deny' },
        submit: { type: 'plain_text', text: 'Deny' },
        blocks: [
          {
            type: 'input',
            block_id: 'reason',
            label: { type: 'plain_text', text: 'Why?' },
            element: { type: 'plain_text_input', action_id: 'reason' },
          },
        ],
      },
    });
  });
  app.view('deny_reason', async ({ ack, body, view, client }) => {
    await ack();
    const reason = view.state.values.reason?.reason?.value;
    seen.denials.push({ user: body.user.id, reason });
    const { channel, ts } = JSON.parse(view.private_metadata) as { channel: string; ts: string };
    const text = `Denied by <@${body.user.id}>: ${reason}`;
    await client.chat.update({ channel, ts, text, blocks: [section(`🚫 ${text}`)] });
  });
  app.command('/pitstop', async ({ ack, command, respond }) => {
    seen.commands.push({ user: command.user_id, text: command.text });
    await ack(`Working on: ${command.text}`);
    await respond({ response_type: 'ephemeral', text: `Done: ${command.text}` });
  });
  app.event('app_home_opened', async ({ event, client }) => {
    await client.views.publish({
      user_id: event.user,
      view: { type: 'home', blocks: [section('No jobs running')] },
    });
  });
  return { app, seen };
}

export const CHANNEL = 'C0PITSTOP';

/**
 * One simulator (Alice in its workspace) and at most one Bolt app for each test of the file
 * that calls this, both stopped after the test.
 */
export function simulatorPerTest() {
  const live: { sim?: SlackSimulator; app?: App } = {};
  afterEach(async () => {
    await live.app?.stop();
    await live.sim?.stop();
    live.app = live.sim = undefined;
  });
  return {
    async started(): Promise<SlackSimulator> {
      live.sim = new SlackSimulator({ workspace: { users: [{ id: 'U0ALICE', name: 'alice' }] } });
      await live.sim.start();
      return live.sim;
    },
    /** The test's app, to be stopped after it. */
    app(app: App): App {
      live.app = app;
      return app;
    },
  };
}
