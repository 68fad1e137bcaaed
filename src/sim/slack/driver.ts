import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimMessage } from './conversations.js';
import { appHomeOpened, type Button, blockActions, slashCommand, viewSubmission } from './payloads.js';
import type { SlackSimulator } from './server.js';
import { ACK_TIMEOUT_MS, type EnvelopeType } from './socket-mode.js';
import type { SimView } from './views.js';
import type { SimUser } from './workspace.js';

/** Where Slack delivers to the app: its request URL (HTTP mode) or its Socket Mode connections. */
export type Delivery = { mode: 'http'; url: string } | { mode: 'socket' };

export interface DeliveryOptions {
  /** A redelivery, as Slack marks it: `x-slack-retry-num` / the envelope's `retry_attempt`. */
  retryNum?: number;
  retryReason?: string;
  /** HTTP mode: sign with a wrong secret, as a forger would. */
  forgeSignature?: boolean;
  /** HTTP mode: the request timestamp in Unix seconds (default now; older than 5 minutes is stale). */
  timestamp?: number;
  /** How long Slack waits for the acknowledgement (3 s). */
  timeoutMs?: number;
}

/** The app's answer: the HTTP status and body, or (Socket Mode) 200 and the ack's payload. */
export interface Delivered {
  status: number;
  body: unknown;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret, as Slack signs. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** What an app may answer to a slash command or a modal submission in its acknowledgement. */
const AckMessage = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
});
const AckViewResponse = z.object({
  response_action: z.enum(['errors', 'update', 'push', 'clear']).optional(),
});

/**
 * A person in the simulated workspace: clicks a button, submits the open modal, types a slash
 * command or opens the app's Home tab, and Slack's payload for it goes to the app (signed, or
 * over Socket Mode). What Slack shows the person afterwards follows from the app's answer.
 */
export class SlackDriver {
  constructor(
    private readonly sim: SlackSimulator,
    private readonly delivery: Delivery,
    /** Signatures are checked against the app's wall clock, whatever clock the simulator runs on. */
    private readonly wallClockMs: () => number = Date.now,
  ) {}

  /**
   * `user` clicks the button `actionId` (with `value`, when several share it) of the message at
   * `ts`. A button with a confirm dialog stands for a confirmed click: Slack sends nothing on cancel.
   */
  async click(
    userId: string,
    target: { channel: string; ts: string; actionId: string; value?: string },
    options: DeliveryOptions = {},
  ): Promise<Delivered> {
    const user = this.user(userId);
    const message = this.sim.conversations.message(target.channel, target.ts);
    if (!message) throw new Error(`no message ${target.ts} in ${target.channel} to click on`);
    const button = findButton(message, target.actionId, target.value);
    const payload = blockActions(this.sim.workspace, {
      user,
      channelName: this.sim.conversations.info(target.channel).name,
      message,
      button,
      triggerId: this.sim.surfaces.issueTrigger(user.id),
      responseUrl: this.sim.responseUrl({ channel: target.channel, user: user.id, messageTs: message.ts }),
      actionTs: this.eventTs(),
    });
    return this.interactive(payload, options);
  }

  /**
   * `user` fills the inputs of the modal in front of them (`values` by action_id) and submits it.
   * The modal closes unless the app answers with `response_action: errors` (or update/push).
   */
  async submitModal(
    userId: string,
    values: Record<string, string>,
    options: DeliveryOptions = {},
  ): Promise<Delivered> {
    const user = this.user(userId);
    const view = this.sim.surfaces.modal(user.id);
    if (!view) throw new Error(`${user.id} has no modal open to submit`);
    const payload = viewSubmission(this.sim.workspace, {
      user,
      view,
      values: stateValues(view, values),
      triggerId: this.sim.surfaces.issueTrigger(user.id),
    });
    const delivered = await this.interactive(payload, options);
    const answer = AckViewResponse.safeParse(delivered.body);
    const action = answer.success ? answer.data.response_action : undefined;
    if (delivered.status === 200 && (action === undefined || action === 'clear'))
      this.sim.surfaces.close(user.id);
    return delivered;
  }

  /**
   * `user` closes the modal in front of them (Cancel, ×, Escape). Slack tells the app only when the
   * view asked with `notify_on_close` (a view_closed payload), which the driver cannot send yet:
   * such a view is refused rather than closed behind the app's back.
   */
  closeModal(userId: string): void {
    const user = this.user(userId);
    const view = this.sim.surfaces.modal(user.id);
    if (!view) return;
    if (view.notify_on_close) {
      throw new Error(`the modal ${view.callback_id} asks for view_closed, which the simulator cannot send`);
    }
    this.sim.surfaces.close(user.id);
  }

  /** `user` types `/command text` in `channel`; an answer in the ack is shown to them (or the channel). */
  async command(
    userId: string,
    channel: string,
    line: string,
    options: DeliveryOptions = {},
  ): Promise<Delivered> {
    const user = this.user(userId);
    const [command = '', ...words] = line.trim().split(/\s+/);
    if (!command.startsWith('/')) throw new Error(`a slash command starts with "/": ${line}`);
    const { name } = this.sim.conversations.info(channel);
    const fields = slashCommand(this.sim.workspace, {
      user,
      channel: { id: channel, name },
      command,
      text: words.join(' '),
      triggerId: this.sim.surfaces.issueTrigger(user.id),
      responseUrl: this.sim.responseUrl({ channel, user: user.id }),
    });
    const delivered =
      this.delivery.mode === 'http'
        ? await this.post(
            new URLSearchParams(fields).toString(),
            'application/x-www-form-urlencoded',
            options,
          )
        : await this.envelope('slash_commands', fields, options);
    if (delivered.status === 200) this.showAckMessage(delivered.body, channel, user.id);
    return delivered;
  }

  /** `user` opens the app's Home tab: the `app_home_opened` event through the Events API. */
  async openHome(userId: string, options: DeliveryOptions = {}): Promise<Delivered> {
    const user = this.user(userId);
    const event = appHomeOpened(this.sim.workspace, {
      user,
      view: this.sim.surfaces.home(user.id),
      eventTs: this.eventTs(),
      eventId: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    });
    return this.delivery.mode === 'http'
      ? this.post(JSON.stringify(event), 'application/json', options)
      : this.envelope('events_api', event, options);
  }

  private interactive(payload: unknown, options: DeliveryOptions): Promise<Delivered> {
    return this.delivery.mode === 'http'
      ? this.post(
          new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
          'application/x-www-form-urlencoded',
          options,
        )
      : this.envelope('interactive', payload, options);
  }

  private async post(body: string, contentType: string, options: DeliveryOptions): Promise<Delivered> {
    if (this.delivery.mode !== 'http') throw new Error('not in HTTP mode');
    const timestamp = options.timestamp ?? Math.floor(this.wallClockMs() / 1000);
    const secret = options.forgeSignature
      ? `forged-${this.sim.workspace.signingSecret}`
      : this.sim.workspace.signingSecret;
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    const response = await fetch(this.delivery.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? ACK_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, body: parseAnswer(text) };
  }

  private async envelope(type: EnvelopeType, payload: unknown, options: DeliveryOptions): Promise<Delivered> {
    const body = await this.sim.socketMode.send(type, payload, {
      ...(options.retryNum === undefined ? {} : { retryAttempt: options.retryNum }),
      ...(options.retryReason === undefined ? {} : { retryReason: options.retryReason }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return { status: 200, body };
  }

  /** A slash command's ack with a message is shown to the user who typed it, or in the channel. */
  private showAckMessage(body: unknown, channel: string, user: string): void {
    const parsed = AckMessage.safeParse(body);
    if (!parsed.success || (!parsed.data.text && !parsed.data.blocks?.length)) return;
    const { response_type, ...content } = parsed.data;
    if (response_type === 'in_channel') this.sim.conversations.post(channel, content);
    else this.sim.conversations.postEphemeral(channel, user, content);
  }

  private user(id: string): SimUser {
    const user = this.sim.workspace.users.find((u) => u.id === id);
    if (!user) throw new Error(`no user ${id} in the simulated workspace`);
    return user;
  }

  private eventTs(): string {
    return (this.wallClockMs() / 1000).toFixed(6);
  }
}

/** A JSON answer as an object; a plain-text ack (Bolt's `ack('text')` over HTTP) as `{text}`. */
function parseAnswer(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

export function findButton(message: SimMessage, actionId: string, value: string | undefined): Button {
  for (const block of message.blocks as Record<string, unknown>[]) {
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const element of elements as (Record<string, unknown> | undefined)[]) {
      if (element?.type !== 'button' || element.action_id !== actionId) continue;
      if (value !== undefined && element.value !== value) continue;
      return {
        action_id: actionId,
        block_id: String(block.block_id),
        text: element.text,
        ...(typeof element.value === 'string' ? { value: element.value } : {}),
        ...(typeof element.style === 'string' ? { style: element.style } : {}),
      };
    }
  }
  throw new Error(
    `no button ${actionId}${value === undefined ? '' : ` with value ${value}`} in message ${message.ts}`,
  );
}

/**
 * The modal's `state.values` after the person typed `values` (by action_id) into its
 * plain_text_inputs. Slack does not submit a modal with a required input left empty.
 */
function stateValues(view: SimView, values: Record<string, string>): SimView['state']['values'] {
  const state: SimView['state']['values'] = {};
  for (const block of view.blocks as Record<string, unknown>[]) {
    if (block.type !== 'input') continue;
    const element = block.element as { type: string; action_id: string };
    const value = values[element.action_id];
    if (element.type !== 'plain_text_input') throw new Error(`the driver cannot fill a ${element.type}`);
    if (!value && block.optional !== true) {
      throw new Error(`the input ${element.action_id} is required; Slack would not submit the modal`);
    }
    state[String(block.block_id)] = { [element.action_id]: { type: element.type, value: value || null } };
  }
  return state;
}
