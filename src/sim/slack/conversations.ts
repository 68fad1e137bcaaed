import type { Changes } from './changes.js';
import { SlackApiError } from './errors.js';
import { type TsSource, withIds } from './ids.js';
import type { SlackWorkspace } from './workspace.js';

export interface SimMessage {
  type: 'message';
  channel: string;
  ts: string;
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  text: string;
  blocks: unknown[];
  /** Set on replies, and on a parent once it has replies (then equal to its own ts). */
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  edited?: { user: string; ts: string };
}

export interface SimEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
}

export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  reply_broadcast?: boolean;
}

interface ChannelState {
  messages: Map<string, SimMessage>;
  /** Top-level messages (and broadcast replies), oldest first. */
  history: string[];
  /** Replies by thread_ts, oldest first. */
  threads: Map<string, string[]>;
  ephemeral: SimEphemeral[];
}

/**
 * The workspace's channels as Slack keeps them: messages by ts, threads, edits and the ephemeral
 * messages each user saw. Everything read out is a copy.
 */
export class Conversations {
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    private readonly workspace: SlackWorkspace,
    private readonly ts: TsSource,
    private readonly changes: Changes,
  ) {}

  /** The channel's configuration; `channel_not_found` for a channel the workspace lacks. */
  info(channel: string) {
    const config = this.workspace.channels.find((c) => c.id === channel);
    if (!config) throw new SlackApiError('channel_not_found');
    return config;
  }

  post(channel: string, content: MessageContent): SimMessage {
    const state = this.writable(channel);
    const { app, team } = this.workspace;
    const message: SimMessage = {
      type: 'message',
      channel,
      ts: this.ts.next(),
      user: app.botUserId,
      bot_id: app.botId,
      app_id: app.id,
      team: team.id,
      text: content.text ?? '',
      blocks: withIds(content.blocks ?? []),
    };
    state.messages.set(message.ts, message);
    if (content.thread_ts === undefined) {
      state.history.push(message.ts);
      this.changed(message);
      return structuredClone(message);
    }
    // Slack accepts any thread_ts; a reply to something that is no top-level message is stored
    // but shows nowhere in the channel, which is how a wrong thread_ts loses replies in Slack.
    message.thread_ts = content.thread_ts;
    const parent = state.messages.get(content.thread_ts);
    if (parent && (parent.thread_ts ?? parent.ts) === parent.ts) {
      parent.thread_ts = parent.ts;
      message.parent_user_id = parent.user;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.reply_users = [...new Set([...(parent.reply_users ?? []), message.user])];
      parent.reply_users_count = parent.reply_users.length;
      parent.latest_reply = message.ts;
      this.changed(parent);
    }
    state.threads.set(content.thread_ts, [...(state.threads.get(content.thread_ts) ?? []), message.ts]);
    if (content.reply_broadcast) state.history.push(message.ts);
    this.changed(message);
    return structuredClone(message);
  }

  /** chat.update: new text and/or blocks (blocks left out are kept, as Slack keeps them); same ts. */
  update(channel: string, ts: string, content: Pick<MessageContent, 'text' | 'blocks'>): SimMessage {
    const message = this.writable(channel).messages.get(ts);
    if (!message) throw new SlackApiError('message_not_found');
    if (message.bot_id !== this.workspace.app.botId) throw new SlackApiError('cant_update_message');
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = withIds(content.blocks);
    message.edited = { user: this.workspace.app.botUserId, ts: this.ts.next() };
    this.changed(message);
    return structuredClone(message);
  }

  delete(channel: string, ts: string): void {
    const state = this.writable(channel);
    if (!state.messages.delete(ts)) throw new SlackApiError('message_not_found');
    state.history = state.history.filter((t) => t !== ts);
    this.changes.emit({ kind: 'deleted', channel, ts });
  }

  postEphemeral(channel: string, user: string, content: MessageContent): SimEphemeral {
    const state = this.writable(channel);
    if (!this.workspace.users.some((u) => u.id === user)) throw new SlackApiError('user_not_found');
    const { members } = this.info(channel);
    if (members && !members.includes(user)) throw new SlackApiError('user_not_in_channel');
    const ephemeral: SimEphemeral = {
      channel,
      user,
      message_ts: this.ts.next(),
      text: content.text ?? '',
      blocks: withIds(content.blocks ?? []),
      ...(content.thread_ts === undefined ? {} : { thread_ts: content.thread_ts }),
    };
    state.ephemeral.push(ephemeral);
    this.changes.emit({ kind: 'ephemeral', ephemeral });
    return structuredClone(ephemeral);
  }

  /** The channel as people see it: top-level messages, oldest first. */
  history(channel: string): SimMessage[] {
    const state = this.state(channel);
    return state.history.map((ts) => structuredClone(state.messages.get(ts)!));
  }

  /** The replies in the thread of `ts`, oldest first (the parent is `message(channel, ts)`). */
  replies(channel: string, ts: string): SimMessage[] {
    const state = this.state(channel);
    return (state.threads.get(ts) ?? [])
      .map((reply) => state.messages.get(reply))
      .filter((m): m is SimMessage => m !== undefined)
      .map((m) => structuredClone(m));
  }

  message(channel: string, ts: string): SimMessage | undefined {
    const message = this.state(channel).messages.get(ts);
    return message && structuredClone(message);
  }

  /** The ephemeral messages `user` saw, oldest first; in one channel when given. */
  ephemeralFor(user: string, channel?: string): SimEphemeral[] {
    const ids = channel === undefined ? this.workspace.channels.map((c) => c.id) : [channel];
    return ids
      .flatMap((id) => this.state(id).ephemeral.filter((e) => e.user === user))
      .sort((a, b) => a.message_ts.localeCompare(b.message_ts))
      .map((e) => structuredClone(e));
  }

  private changed(message: SimMessage): void {
    this.changes.emit({ kind: 'message', channel: message.channel, message });
  }

  private writable(channel: string): ChannelState {
    if (!this.info(channel).botMember) throw new SlackApiError('not_in_channel');
    return this.state(channel);
  }

  private state(channel: string): ChannelState {
    this.info(channel);
    let state = this.channels.get(channel);
    if (!state) {
      state = { messages: new Map(), history: [], threads: new Map(), ephemeral: [] };
      this.channels.set(channel, state);
    }
    return state;
  }
}
