import { WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackSimulator, type SlackSimulatorOptions } from '../../../src/sim/slack/server.js';

let sim: SlackSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const CHANNEL = 'C0PITSTOP';
const USERS = [
  { id: 'U0ALICE', name: 'alice' },
  { id: 'U0BOB', name: 'bob' },
];

async function start(options: SlackSimulatorOptions = {}) {
  sim = new SlackSimulator({ workspace: { users: USERS, ...options.workspace }, ...options });
  await sim.start();
  return sim;
}

/** The real client, as Pitstop builds it, pointed at the simulator; no retries unless asked. */
function client(s: SlackSimulator, token = s.workspace.botToken, options: WebClientOptions = {}) {
  return new WebClient(token, { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 }, ...options });
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Slack simulator: the Web API through @slack/web-api', () => {
  it('answers auth.test for the bot token with the bot and team ids', async () => {
    const s = await start();
    const result = await client(s).auth.test();
    expect(result).toMatchObject({
      ok: true,
      user_id: 'U0PITSTOP',
      bot_id: 'B0PITSTOP',
      team_id: 'T0PITSTOP',
    });
  });

  it('refuses a missing, a wrong and a wrong-kind token as Slack does', async () => {
    const s = await start();
    await expect(client(s, '').auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(client(s, 'xoxb-forged').auth.test()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
    await expect(
      client(s, s.workspace.appToken).chat.postMessage({ channel: CHANNEL, text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    await expect(client(s).apps.connections.open()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    expect(s.conversations.history(CHANNEL)).toEqual([]);
  });

  it('posts messages with increasing ts and keeps a thread in order with its reply count', async () => {
    const s = await start({ rateLimits: { 'chat.postMessage': null } });
    const web = client(s);
    const parent = await web.chat.postMessage({
      channel: CHANNEL,
      text: 'event',
      blocks: [section('*node-1*')],
    });
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    const replies = [];
    for (const text of ['drain', 'schedule', 'maintenance']) {
      replies.push(await web.chat.postMessage({ channel: CHANNEL, text, thread_ts: parent.ts! }));
    }
    const tss = [parent.ts!, ...replies.map((r) => r.ts!)];
    expect([...tss].sort()).toEqual(tss);
    expect(new Set(tss).size).toBe(4);

    expect(s.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['event']);
    expect(s.conversations.replies(CHANNEL, parent.ts!).map((m) => m.text)).toEqual([
      'drain',
      'schedule',
      'maintenance',
    ]);
    expect(s.conversations.message(CHANNEL, parent.ts!)).toMatchObject({
      thread_ts: parent.ts,
      reply_count: 3,
      latest_reply: replies[2]!.ts,
    });
    // Slack gives blocks without a block_id one, so an interaction can name its source.
    expect(s.conversations.message(CHANNEL, parent.ts!)?.blocks[0]).toMatchObject({
      block_id: expect.any(String),
    });
  });

  it('stores a reply to an unknown thread where nobody sees it, as Slack does', async () => {
    const s = await start();
    const result = await client(s).chat.postMessage({
      channel: CHANNEL,
      text: 'lost',
      thread_ts: '1.000001',
    });
    expect(result.ok).toBe(true);
    expect(s.conversations.history(CHANNEL)).toEqual([]);
    expect(s.conversations.replies(CHANNEL, '1.000001').map((m) => m.text)).toEqual(['lost']);
  });

  it('updates a message in place: same ts, new blocks, old blocks kept when only text changes', async () => {
    const s = await start();
    const web = client(s);
    const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'v1', blocks: [section('one')] });
    const updated = await web.chat.update({
      channel: CHANNEL,
      ts: posted.ts!,
      text: 'v2',
      blocks: [section('two')],
    });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: 'v2' });
    await web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v3' });
    const [message] = s.conversations.history(CHANNEL);
    expect(message).toMatchObject({ ts: posted.ts, text: 'v3', edited: { user: 'U0PITSTOP' } });
    expect(message?.blocks).toMatchObject([{ text: { text: 'two' } }]);
    await expect(web.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });

  it('keeps ephemeral messages per user, out of the channel', async () => {
    const s = await start();
    const web = client(s);
    const result = await web.chat.postEphemeral({ channel: CHANNEL, user: 'U0BOB', text: 'not an approver' });
    expect(result.message_ts).toBeTruthy();
    expect(s.conversations.ephemeralFor('U0BOB').map((e) => e.text)).toEqual(['not an approver']);
    expect(s.conversations.ephemeralFor('U0ALICE')).toEqual([]);
    expect(s.conversations.history(CHANNEL)).toEqual([]);
    await expect(
      web.chat.postEphemeral({ channel: CHANNEL, user: 'U0NOBODY', text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('refuses unknown channels, channels the bot is not in, and messages with nothing to say', async () => {
    const s = await start({
      workspace: {
        channels: [
          { id: 'C0PITSTOP', name: 'pitstop' },
          { id: 'C0OUTSIDE', name: 'outside', botMember: false },
        ],
      },
    });
    const web = client(s);
    await expect(web.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(web.chat.postMessage({ channel: 'C0OUTSIDE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(web.chat.postMessage({ channel: 'C0PITSTOP', text: '' })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
  });

  it('enforces Block Kit limits with Slack reasons and json-pointers, and the text limit', async () => {
    const s = await start({ rateLimits: { 'chat.postMessage': null } });
    const web = client(s);
    const cases: [unknown[], string][] = [
      [[section('x'.repeat(3001))], 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      [[{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], '/blocks/0/text/text]'],
      [
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        'no more than 50 items allowed [json-pointer:/blocks]',
      ],
      [
        [
          {
            type: 'actions',
            elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, value: 'v'.repeat(2001) }],
          },
        ],
        'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
      ],
      [
        [{ type: 'section', block_id: 'b'.repeat(256), text: { type: 'mrkdwn', text: 'x' } }],
        '/blocks/0/block_id]',
      ],
      [[{ type: 'carousel_of_doom' }], 'unsupported type: carousel_of_doom [json-pointer:/blocks/0/type]'],
      [
        [section('a'), { ...section('b'), block_id: 'same' }, { ...section('c'), block_id: 'same' }],
        'duplicate block_id: same',
      ],
    ];
    for (const [blocks, reason] of cases) {
      const error = await web.chat
        .postMessage({ channel: CHANNEL, text: 'fallback', blocks: blocks as never })
        .catch((e) => e);
      expect(error.data.error).toBe('invalid_blocks');
      expect(error.data.errors.join('\n')).toContain(reason);
      expect(error.data.response_metadata.messages[0]).toMatch(/^\[ERROR\] /);
    }
    expect(s.conversations.history(CHANNEL)).toEqual([]);
    await expect(web.chat.postMessage({ channel: CHANNEL, text: 't'.repeat(40_001) })).rejects.toMatchObject({
      data: { error: 'msg_too_long' },
    });
    // Exactly at the limits is fine.
    const fifty = Array.from({ length: 50 }, () => section('s'.repeat(3000)));
    await expect(
      web.chat.postMessage({ channel: CHANNEL, text: 'ok', blocks: fifty }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('answers 429 with Retry-After past the per-channel budget; the client waits and succeeds', async () => {
    const s = await start({
      rateLimits: { 'chat.postMessage': { perMinute: 60, burst: 1, perChannel: true } },
    });
    const web = client(s, s.workspace.botToken, { retryConfig: { retries: 2 } });
    const limited: number[] = [];
    web.on(WebClientEvent.RATE_LIMITED, (seconds: number) => limited.push(seconds));
    await web.chat.postMessage({ channel: CHANNEL, text: 'first' });
    await web.chat.postMessage({ channel: CHANNEL, text: 'second' });
    expect(limited).toEqual([1]);
    expect(
      s.calls.filter((c) => c.method === 'chat.postMessage').map((c) => [c.status, c.retryAfter]),
    ).toEqual([
      [200, undefined],
      [429, 1],
      [200, undefined],
    ]);
    expect(s.conversations.history(CHANNEL).map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('counts the budget per channel: another channel is not slowed down', async () => {
    const s = await start({
      workspace: {
        users: USERS,
        channels: [
          { id: 'C0ONE', name: 'one' },
          { id: 'C0TWO', name: 'two' },
        ],
      },
      rateLimits: { 'chat.postMessage': { perMinute: 60, burst: 1, perChannel: true } },
    });
    const web = client(s, s.workspace.botToken, { rejectRateLimitedCalls: true });
    await web.chat.postMessage({ channel: 'C0ONE', text: 'a' });
    await web.chat.postMessage({ channel: 'C0TWO', text: 'b' });
    await expect(web.chat.postMessage({ channel: 'C0ONE', text: 'c' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 1,
    });
    expect(s.count('chat.postMessage', 'ok')).toBe(2);
    expect(s.count('chat.postMessage', 'ratelimited')).toBe(1);
  });

  it('reads users, user groups and channels', async () => {
    const s = await start({
      workspace: { users: USERS, usergroups: [{ id: 'S0OPS', handle: 'gpu-ops', users: ['U0ALICE'] }] },
    });
    const web = client(s);
    expect((await web.usergroups.users.list({ usergroup: 'S0OPS' })).users).toEqual(['U0ALICE']);
    await expect(web.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    expect((await web.users.info({ user: 'U0BOB' })).user).toMatchObject({
      id: 'U0BOB',
      name: 'bob',
      is_bot: false,
    });
    await expect(web.users.info({ user: 'U0NONE' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
    expect((await web.conversations.info({ channel: CHANNEL })).channel).toMatchObject({
      id: CHANNEL,
      is_member: true,
    });
  });

  it('opens a modal only with a fresh, unused trigger_id and checks the view', async () => {
    const s = await start();
    const web = client(s);
    const view = {
      type: 'modal' as const,
      callback_id: 'deny',
      title: { type: 'plain_text' as const, text: 'Deny event' },
      submit: { type: 'plain_text' as const, text: 'Deny' },
      blocks: [
        {
          type: 'input',
          block_id: 'reason',
          label: { type: 'plain_text' as const, text: 'Reason' },
          element: { type: 'plain_text_input', action_id: 'reason' },
        },
      ],
    };
    await expect(web.views.open({ trigger_id: 'made.up.trigger', view })).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });
    const trigger = s.surfaces.issueTrigger('U0ALICE');
    const opened = await web.views.open({ trigger_id: trigger, view });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      type: 'modal',
      callback_id: 'deny',
    });
    expect(s.surfaces.modal('U0ALICE')?.id).toBe(opened.view?.id);
    await expect(web.views.open({ trigger_id: trigger, view })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    const longTitle = {
      ...view,
      title: { type: 'plain_text' as const, text: 'A title far too long for Slack' },
    };
    const error = await web.views
      .open({ trigger_id: s.surfaces.issueTrigger('U0ALICE'), view: longTitle })
      .catch((e) => e);
    expect(error.data).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    });
  });

  it('publishes a Home view per user', async () => {
    const s = await start();
    await client(s).views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('jobs')] } });
    expect(s.surfaces.home('U0ALICE')?.blocks).toMatchObject([{ text: { text: 'jobs' } }]);
    expect(s.surfaces.home('U0BOB')).toBeUndefined();
  });

  it('records every call with its arguments but never the token', async () => {
    const s = await start();
    await client(s).chat.postMessage({ channel: CHANNEL, text: 'hello' });
    expect(s.calls).toEqual([
      expect.objectContaining({
        method: 'chat.postMessage',
        status: 200,
        ok: true,
        args: expect.objectContaining({ channel: CHANNEL, text: 'hello' }),
      }),
    ]);
    expect(JSON.stringify(s.calls)).not.toContain(s.workspace.botToken);
  });
});
