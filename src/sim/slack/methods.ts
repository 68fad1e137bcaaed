/**
 * The Web API methods Pitstop calls, with the arguments Slack reads and the answers it gives.
 * Arguments arrive form-encoded (strings, nested objects as JSON strings, as @slack/web-api sends
 * them) or as JSON; zod reads both.
 */
import { z } from 'zod';
import { checkMessageBlocks } from './block-kit.js';
import type { Conversations, MessageContent } from './conversations.js';
import { invalid, SlackApiError } from './errors.js';
import type { Surfaces } from './views.js';
import type { SlackWorkspace } from './workspace.js';

/** "Slack will truncate messages containing more than 40,000 characters"; longer is refused. */
const TEXT_MAX = 40_000;

export interface MethodContext {
  workspace: SlackWorkspace;
  conversations: Conversations;
  surfaces: Surfaces;
  /** A new Socket Mode URL (with its one-time ticket) for apps.connections.open. */
  socketModeUrl(): string;
}

export interface Method {
  /** Which token the method takes: the bot's (xoxb-) or the app-level one (xapp-). */
  token: 'bot' | 'app';
  args: z.ZodType<Record<string, unknown>>;
  handle(args: Record<string, unknown>, ctx: MethodContext): Record<string, unknown>;
}

const Flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/** A JSON argument, which form-encoded calls carry as a string. */
function json(value: unknown, error: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError(error);
  }
}

const MessageArgs = z.object({
  channel: z.string().min(1),
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  thread_ts: z.string().min(1).optional(),
  reply_broadcast: Flag.optional(),
});
type MessageArgs = z.infer<typeof MessageArgs>;

/** Text and blocks checked as chat.* check them: msg_too_long, invalid_blocks, no_text. */
function content(args: MessageArgs, required: boolean): MessageContent {
  if (args.text !== undefined && args.text.length > TEXT_MAX) throw new SlackApiError('msg_too_long');
  let blocks: unknown[] | undefined;
  if (args.blocks !== undefined) {
    const parsed = json(args.blocks, 'invalid_blocks_format');
    if (!Array.isArray(parsed)) throw new SlackApiError('invalid_blocks_format');
    checkMessageBlocks(parsed);
    blocks = parsed;
  }
  if (required && !args.text && !blocks?.length) throw new SlackApiError('no_text');
  return {
    ...(args.text === undefined ? {} : { text: args.text }),
    ...(blocks === undefined ? {} : { blocks }),
    ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
    ...(args.reply_broadcast === undefined ? {} : { reply_broadcast: args.reply_broadcast }),
  };
}

function viewArg(value: unknown): Record<string, unknown> {
  const view = json(value, 'invalid_arguments');
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    throw invalid('invalid_arguments', ['must provide an object [json-pointer:/view]'], false);
  }
  return view as Record<string, unknown>;
}

const method = <S extends z.ZodType<Record<string, unknown>>>(
  token: Method['token'],
  args: S,
  handle: (args: z.infer<S>, ctx: MethodContext) => Record<string, unknown>,
): Method => ({ token, args, handle: handle as Method['handle'] });

export const METHODS: Record<string, Method> = {
  'auth.test': method('bot', z.object({}), (_, { workspace: { team, app } }) => ({
    url: `https://${team.domain}.slack.com/`,
    team: team.name,
    user: app.botName,
    team_id: team.id,
    user_id: app.botUserId,
    bot_id: app.botId,
    is_enterprise_install: false,
  })),

  'chat.postMessage': method('bot', MessageArgs, (args, { conversations }) => {
    const { channel, ...message } = conversations.post(args.channel, content(args, true));
    return { channel, ts: message.ts, message };
  }),

  'chat.update': method('bot', MessageArgs.extend({ ts: z.string().min(1) }), (args, { conversations }) => {
    const { channel, ...message } = conversations.update(args.channel, args.ts, content(args, true));
    return { channel, ts: message.ts, text: message.text, message };
  }),

  'chat.postEphemeral': method(
    'bot',
    MessageArgs.extend({ user: z.string().min(1) }),
    (args, { conversations }) => ({
      message_ts: conversations.postEphemeral(args.channel, args.user, content(args, true)).message_ts,
    }),
  ),

  'views.open': method(
    'bot',
    z.object({ trigger_id: z.string().min(1), view: z.unknown() }),
    (args, { surfaces }) => ({ view: surfaces.open(args.trigger_id, viewArg(args.view)) }),
  ),

  'views.publish': method(
    'bot',
    z.object({ user_id: z.string().min(1), view: z.unknown() }),
    (args, { surfaces }) => ({ view: surfaces.publish(args.user_id, viewArg(args.view)) }),
  ),

  'usergroups.users.list': method(
    'bot',
    z.object({ usergroup: z.string().min(1) }),
    (args, { workspace }) => {
      const group = workspace.usergroups.find((g) => g.id === args.usergroup);
      if (!group) throw new SlackApiError('no_such_subteam');
      return { users: [...group.users] };
    },
  ),

  'conversations.info': method('bot', z.object({ channel: z.string().min(1) }), (args, { conversations }) => {
    const channel = conversations.info(args.channel);
    return {
      channel: {
        id: channel.id,
        name: channel.name,
        name_normalized: channel.name,
        is_channel: true,
        is_group: false,
        is_im: false,
        is_private: false,
        is_archived: false,
        is_member: channel.botMember,
        created: 1_700_000_000,
      },
    };
  }),

  'users.info': method('bot', z.object({ user: z.string().min(1) }), (args, { workspace }) => {
    const { app, team } = workspace;
    if (args.user === app.botUserId) {
      return {
        user: { id: app.botUserId, team_id: team.id, name: app.botName, deleted: false, is_bot: true },
      };
    }
    const user = workspace.users.find((u) => u.id === args.user);
    if (!user) throw new SlackApiError('user_not_found');
    const realName = user.realName ?? user.name;
    return {
      user: {
        id: user.id,
        team_id: team.id,
        name: user.name,
        real_name: realName,
        deleted: false,
        is_bot: false,
        tz: user.tz,
        profile: { real_name: realName, display_name: user.name },
      },
    };
  }),

  'apps.connections.open': method('app', z.object({}), (_, ctx) => ({ url: ctx.socketModeUrl() })),
};
