import { App, type AppOptions, type BlockAction, LogLevel } from '@slack/bolt';
import type { SlackSimulator } from '../../../src/sim/slack/server.js';

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
          action_id: 'approve',
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
          action_id: 'deny',
          style: 'danger',
          value: node,
          text: { type: 'plain_text', text: 'Deny' },
        },
      ],
    },
  ],
});

/**
 * A small Bolt app shaped like Pitstop's: Approve updates the message, Deny opens a modal whose
 * reason ends up in the message, `/pitstop` answers in its ack and through response_url, and
 * opening Home publishes a view. Its Web API client talks to the simulator.
 */
export function boltApp(
  sim: SlackSimulator,
  mode: Pick<AppOptions, 'signingSecret' | 'appToken' | 'socketMode'>,
) {
  const seen: Seen = { approvals: [], commands: [], denials: [] };
  const app = new App({
    token: sim.workspace.botToken,
    ...mode,
    clientOptions: { slackApiUrl: sim.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.action<BlockAction>('approve', async ({ ack, body, client, context }) => {
    await ack();
    seen.approvals.push({ user: body.user.id, retryNum: context.retryNum });
    await client.chat.update({
      channel: body.channel!.id,
      ts: body.message!.ts,
      text: `Approved by <@${body.user.id}>`,
      blocks: [section(`Approved by <@${body.user.id}>`)],
    });
  });
  app.action<BlockAction>('deny', async ({ ack, body, client }) => {
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
    await client.chat.update({ channel, ts, text: `Denied by <@${body.user.id}>: ${reason}`, blocks: [] });
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
