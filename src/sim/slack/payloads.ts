/**
 * What Slack sends an app when a person acts: the block_actions and view_submission interaction
 * payloads, the slash command fields and the app_home_opened event, shaped as in Slack's
 * reference (docs.slack.dev/reference/interaction-payloads, /interactivity/implementing-slash-commands,
 * /reference/events/app_home_opened).
 */
import type { SimMessage } from './conversations.js';
import type { SimView } from './views.js';
import type { SimUser, SlackWorkspace } from './workspace.js';

/** The deprecated verification token Slack still puts in every payload; Bolt ignores it. */
const VERIFICATION_TOKEN = 'simulated-verification-token';

export interface Button {
  action_id: string;
  block_id: string;
  text: unknown;
  value?: string;
  style?: string;
}

const userOf = (ws: SlackWorkspace, user: SimUser) => ({
  id: user.id,
  username: user.name,
  name: user.name,
  team_id: ws.team.id,
});

const common = (ws: SlackWorkspace) => ({
  api_app_id: ws.app.id,
  token: VERIFICATION_TOKEN,
  team: { id: ws.team.id, domain: ws.team.domain },
  enterprise: null,
  is_enterprise_install: false,
});

export function blockActions(
  ws: SlackWorkspace,
  click: {
    user: SimUser;
    channelName: string;
    message: SimMessage;
    button: Button;
    triggerId: string;
    responseUrl: string;
    actionTs: string;
  },
) {
  const { channel, ...message } = click.message;
  return {
    type: 'block_actions',
    user: userOf(ws, click.user),
    ...common(ws),
    container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: click.triggerId,
    channel: { id: channel, name: click.channelName },
    message,
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [{ ...click.button, type: 'button', action_ts: click.actionTs }],
  };
}

export function viewSubmission(
  ws: SlackWorkspace,
  submit: { user: SimUser; view: SimView; values: SimView['state']['values']; triggerId: string },
) {
  return {
    type: 'view_submission',
    ...common(ws),
    user: userOf(ws, submit.user),
    trigger_id: submit.triggerId,
    view: { ...submit.view, state: { values: submit.values } },
    response_urls: [],
  };
}

/** The form fields of a slash command (all strings, as Slack posts them). */
export function slashCommand(
  ws: SlackWorkspace,
  command: {
    user: SimUser;
    channel: { id: string; name: string };
    command: string;
    text: string;
    triggerId: string;
    responseUrl: string;
  },
): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: ws.team.id,
    team_domain: ws.team.domain,
    channel_id: command.channel.id,
    channel_name: command.channel.name,
    user_id: command.user.id,
    user_name: command.user.name,
    command: command.command,
    text: command.text,
    api_app_id: ws.app.id,
    is_enterprise_install: 'false',
    response_url: command.responseUrl,
    trigger_id: command.triggerId,
  };
}

/** The Events API envelope of `app_home_opened`, which carries the Home view already published. */
export function appHomeOpened(
  ws: SlackWorkspace,
  opened: { user: SimUser; view: SimView | undefined; eventTs: string; eventId: string },
) {
  return {
    token: VERIFICATION_TOKEN,
    team_id: ws.team.id,
    api_app_id: ws.app.id,
    event: {
      type: 'app_home_opened',
      user: opened.user.id,
      channel: `D${opened.user.id.slice(1)}`,
      tab: 'home',
      ...(opened.view ? { view: opened.view } : {}),
      event_ts: opened.eventTs,
    },
    type: 'event_callback',
    event_id: opened.eventId,
    event_time: Math.floor(Number(opened.eventTs)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: ws.team.id,
        user_id: ws.app.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}
