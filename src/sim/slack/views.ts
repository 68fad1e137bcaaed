import { randomBytes } from 'node:crypto';
import type { Clock } from '../../ports.js';
import { checkView } from './block-kit.js';
import type { Changes } from './changes.js';
import { SlackApiError } from './errors.js';
import { slackId, withIds } from './ids.js';
import type { SlackWorkspace } from './workspace.js';

/** "trigger_ids expire three seconds after they're sent to your app" (Slack's modal guide). */
const TRIGGER_TTL_MS = 3_000;

export interface SimView {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  blocks: unknown[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, Record<string, unknown>> };
  hash: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  clear_on_close: boolean;
  notify_on_close: boolean;
  previous_view_id: null;
  root_view_id: string;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

interface Trigger {
  user: string;
  expires: number;
  used: boolean;
}

/** Modals and Home tabs: the trigger_ids that open a modal, each user's open modal and Home view. */
export class Surfaces {
  private readonly triggers = new Map<string, Trigger>();
  private readonly modals = new Map<string, SimView>();
  private readonly homes = new Map<string, SimView>();

  constructor(
    private readonly workspace: SlackWorkspace,
    private readonly clock: Clock,
    private readonly changes: Changes,
  ) {}

  /** A trigger_id as Slack puts in an interaction payload: good for one views.open, for 3 s. */
  issueTrigger(user: string): string {
    const id = `${this.clock.now().getTime()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, expires: this.clock.now().getTime() + TRIGGER_TTL_MS, used: false });
    return id;
  }

  open(triggerId: string, view: Record<string, unknown>): SimView {
    const trigger = this.triggers.get(triggerId);
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    if (this.clock.now().getTime() > trigger.expires) throw new SlackApiError('expired_trigger_id');
    checkView(view, 'modal');
    trigger.used = true;
    const opened = this.build(view);
    this.modals.set(trigger.user, opened);
    this.changes.emit({ kind: 'modal', user: trigger.user, view: opened });
    return structuredClone(opened);
  }

  publish(user: string, view: Record<string, unknown>): SimView {
    if (!this.workspace.users.some((u) => u.id === user)) throw new SlackApiError('user_not_found');
    checkView(view, 'home');
    const published = this.build(view);
    this.homes.set(user, published);
    this.changes.emit({ kind: 'home', user, view: published });
    return structuredClone(published);
  }

  /** The modal open in front of `user`, if any. */
  modal(user: string): SimView | undefined {
    const view = this.modals.get(user);
    return view && structuredClone(view);
  }

  home(user: string): SimView | undefined {
    const view = this.homes.get(user);
    return view && structuredClone(view);
  }

  close(user: string): void {
    if (this.modals.delete(user)) this.changes.emit({ kind: 'modal', user, view: null });
  }

  private build(view: Record<string, unknown>): SimView {
    const id = slackId('V');
    const { team, app } = this.workspace;
    const text = (key: string) => (typeof view[key] === 'string' ? (view[key] as string) : '');
    return {
      id,
      team_id: team.id,
      type: view.type as SimView['type'],
      blocks: withIds((view.blocks as unknown[]) ?? []),
      private_metadata: text('private_metadata'),
      callback_id: text('callback_id'),
      external_id: text('external_id'),
      state: { values: {} },
      hash: `${Math.floor(this.clock.now().getTime() / 1000)}.${randomBytes(4).toString('hex')}`,
      ...(view.title === undefined ? {} : { title: view.title }),
      ...(view.submit === undefined ? {} : { submit: view.submit }),
      ...(view.close === undefined ? {} : { close: view.close }),
      clear_on_close: view.clear_on_close === true,
      notify_on_close: view.notify_on_close === true,
      previous_view_id: null,
      root_view_id: id,
      app_id: app.id,
      app_installed_team_id: team.id,
      bot_id: app.botId,
    };
  }
}
