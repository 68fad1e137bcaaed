// The Slack simulator's channel page: reads the workspace over /_sim/, follows it live over
// server-sent events, and sends what the person does to /_sim/ui/, where the simulator's driver
// turns it into the payload Slack would send the app. Every text from the app is put in the page as
// text nodes (never innerHTML), so nothing an app posts can run here.

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = {
  workspace: null,
  /** user id → display name, the bot included */
  names: new Map(),
  me: '',
  channel: '',
  view: 'channel',
  /** The channel's top-level messages by ts: a thread shows its parent from here. */
  messages: new Map(),
  /** ts of the parent whose thread is open */
  thread: null,
  localSeq: 0,
};

// ---- elements -------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

// ---- mrkdwn ---------------------------------------------------------------------------------

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };
/** Slack escapes &, < and > in mrkdwn; shown as the characters they stand for. */
const unescapeMrkdwn = (text) => text.replace(/&(?:lt|gt|amp);/g, (entity) => ENTITIES[entity]);

// A token `<…>`, inline code, or *bold* / _italic_ / ~strike~ bounded as Slack bounds them:
// not inside a word, not opening or closing on a space.
const INLINE = new RegExp(
  [
    '<([^<>\\n]+)>',
    '`([^`\\n]+)`',
    '(?<![\\p{L}\\p{N}*])\\*(?!\\s)([^*\\n]+?)(?<!\\s)\\*(?![\\p{L}\\p{N}*])',
    '(?<![\\p{L}\\p{N}_])_(?!\\s)([^_\\n]+?)(?<!\\s)_(?![\\p{L}\\p{N}_])',
    '(?<![\\p{L}\\p{N}~])~(?!\\s)([^~\\n]+?)(?<!\\s)~(?![\\p{L}\\p{N}~])',
  ].join('|'),
  'gu',
);

function token(inner) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return el('span', { class: 'mention', title: id }, `@${state.names.get(id) ?? label ?? id}`);
  }
  if (target.startsWith('#')) return el('span', { class: 'mention' }, `#${label ?? target.slice(1)}`);
  if (target.startsWith('!subteam^'))
    return el('span', { class: 'mention' }, unescapeMrkdwn(label ?? '@group'));
  if (target.startsWith('!date^')) return document.createTextNode(unescapeMrkdwn(label ?? target));
  if (target.startsWith('!')) return el('span', { class: 'mention' }, `@${target.slice(1)}`);
  const url = unescapeMrkdwn(target);
  if (!/^(https?:|mailto:)/i.test(url)) return document.createTextNode(unescapeMrkdwn(label ?? target));
  return el(
    'a',
    { href: url, target: '_blank', rel: 'noopener noreferrer' },
    unescapeMrkdwn(label ?? target),
  );
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function inline(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    fragment.append(unescapeMrkdwn(text.slice(last, match.index)));
    const [, link, code, bold, italic, strike] = match;
    if (link !== undefined) fragment.append(token(link));
    else if (code !== undefined) fragment.append(el('code', {}, unescapeMrkdwn(code)));
    else if (bold !== undefined) fragment.append(el('strong', {}, inline(bold)));
    else if (italic !== undefined) fragment.append(el('em', {}, inline(italic)));
    else fragment.append(el('s', {}, inline(strike)));
    last = match.index + match[0].length;
  }
  fragment.append(unescapeMrkdwn(text.slice(last)));
  return fragment;
}

/** mrkdwn: ``` blocks as preformatted text, the rest inline; line breaks kept by CSS. */
function mrkdwn(text) {
  const fragment = document.createDocumentFragment();
  text.split(/```/).forEach((part, index) => {
    fragment.append(
      index % 2 === 1 ? el('pre', {}, unescapeMrkdwn(part.replace(/^\n|\n$/g, ''))) : inline(part),
    );
  });
  return fragment;
}

/** A text object: mrkdwn formatted, plain_text as it is. */
const textObject = (object) =>
  el('span', { class: 'text' }, object?.type === 'mrkdwn' ? mrkdwn(object.text ?? '') : (object?.text ?? ''));

// ---- Block Kit ------------------------------------------------------------------------------

/**
 * Blocks of a message, modal or Home view. `where` says what a button acts on: a channel message
 * (then clicks are delivered), anything else (buttons shown, not wired in the simulator).
 */
function renderBlocks(blocks, where) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks ?? []) fragment.append(renderBlock(block, where));
  return fragment;
}

function renderBlock(block, where) {
  switch (block.type) {
    case 'header':
      return el('div', { class: 'block header', role: 'heading', 'aria-level': 3 }, block.text?.text ?? '');
    case 'section':
      return el(
        'div',
        { class: 'block section' },
        el(
          'div',
          { class: 'section-main' },
          block.text ? el('div', { class: 'section-text' }, textObject(block.text)) : null,
          block.fields
            ? el(
                'div',
                { class: 'fields' },
                block.fields.map((field) => el('div', { class: 'field' }, textObject(field))),
              )
            : null,
        ),
        block.accessory ? renderElement(block.accessory, where) : null,
      );
    case 'context':
      return el(
        'div',
        { class: 'block context' },
        (block.elements ?? []).map((element) =>
          element.type === 'image'
            ? el('img', { src: element.image_url, alt: element.alt_text ?? '', class: 'context-image' })
            : textObject(element),
        ),
      );
    case 'divider':
      return el('hr', { class: 'block divider' });
    case 'actions':
      return el(
        'div',
        { class: 'block actions', role: 'group' },
        (block.elements ?? []).map((element) => renderElement(element, where)),
      );
    case 'input':
      return renderInput(block);
    default:
      return el(
        'div',
        { class: 'block unsupported' },
        `[a ${block.type} block, which this page does not draw]`,
      );
  }
}

function renderElement(element, where) {
  if (element.type !== 'button') {
    return el('span', { class: 'unsupported' }, `[${element.type}, which this page does not draw]`);
  }
  const label = element.text?.text ?? '';
  if (element.url) {
    return el(
      'a',
      { class: 'button', href: element.url, target: '_blank', rel: 'noopener noreferrer' },
      label,
    );
  }
  const wired = where.kind === 'message';
  return el(
    'button',
    {
      type: 'button',
      class: `button ${element.style ?? ''}`,
      'aria-label': element.accessibility_label,
      disabled: !wired,
      title: wired ? undefined : 'Not wired in the simulator',
      onclick: (event) => press(event.currentTarget, element, where),
    },
    label,
  );
}

function renderInput(block) {
  const element = block.element ?? {};
  const id = `input-${block.block_id}`;
  const attrs = {
    id,
    name: element.action_id,
    'data-block': block.block_id,
    placeholder: element.placeholder?.text,
    required: block.optional !== true,
    maxlength: element.max_length,
    minlength: element.min_length,
    'aria-describedby': `${id}-error`,
  };
  const field =
    element.type !== 'plain_text_input'
      ? el('span', { class: 'unsupported' }, `[${element.type}, which this page does not draw]`)
      : element.multiline
        ? el('textarea', { ...attrs, rows: 4 }, element.initial_value ?? '')
        : el('input', { ...attrs, value: element.initial_value });
  return el(
    'div',
    { class: 'block input' },
    el(
      'label',
      { for: id },
      block.label?.text ?? '',
      block.optional ? el('span', { class: 'optional' }, ' (optional)') : null,
    ),
    field,
    block.hint ? el('div', { class: 'hint' }, block.hint.text) : null,
    el('div', { class: 'error', id: `${id}-error` }),
  );
}

// ---- messages -------------------------------------------------------------------------------

/** Colours come from page.css (avatar-0 … avatar-7): the page's policy allows no inline style. */
const AVATAR_COLORS = 8;
function avatar(id, name) {
  const hash = [...id].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  const initials = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2);
  return el(
    'span',
    { class: `avatar avatar-${hash % AVATAR_COLORS}`, 'aria-hidden': 'true' },
    (initials || '?').toUpperCase(),
  );
}

function time(ts) {
  const date = new Date(Number(ts) * 1000);
  return el(
    'time',
    { datetime: date.toISOString(), title: date.toLocaleString() },
    date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
  );
}

/**
 * One message as the channel shows it: avatar, name, time, its blocks (or its text when it has
 * none), and for a thread parent the reply count that opens the thread.
 */
function renderMessage(message, { ephemeral = false, inThread = false } = {}) {
  const { id, name, isApp } = authorOf(message, ephemeral);
  const ts = message.ts ?? message.message_ts;
  const body = message.blocks?.length
    ? renderBlocks(
        message.blocks,
        ephemeral ? { kind: 'ephemeral' } : { kind: 'message', channel: message.channel, ts },
      )
    : el('div', { class: 'block section' }, el('div', { class: 'section-text' }, mrkdwn(message.text ?? '')));
  const replies = !inThread && message.reply_count > 0;
  return el(
    'li',
    { class: `message${ephemeral ? ' ephemeral' : ''}`, 'data-ts': ts, 'data-key': key(message, ephemeral) },
    avatar(id, name),
    el(
      'div',
      { class: 'message-main' },
      el(
        'div',
        { class: 'message-meta' },
        el('span', { class: 'author' }, name),
        isApp ? el('span', { class: 'badge' }, 'APP') : null,
        time(ts),
        message.edited ? el('span', { class: 'edited' }, '(edited)') : null,
      ),
      el('div', { class: 'message-body' }, body),
      ephemeral ? el('div', { class: 'only-you' }, '👁 Only visible to you') : null,
      replies
        ? el(
            'button',
            {
              type: 'button',
              class: 'replies',
              'aria-label': `${message.reply_count} ${message.reply_count === 1 ? 'reply' : 'replies'}, open thread`,
              onclick: () => openThread(message.ts),
            },
            `${message.reply_count} ${message.reply_count === 1 ? 'reply' : 'replies'}`,
            el('span', { class: 'last-reply' }, message.latest_reply ? ' · last reply ' : ''),
            message.latest_reply ? time(message.latest_reply) : null,
          )
        : null,
    ),
  );
}

/**
 * Who a message is from. An ephemeral message names the one who sees it in `user`; it comes from
 * the app (or, for the page's own notes, from Slackbot).
 */
function authorOf(message, ephemeral) {
  if (message.local) return { id: 'USLACKBOT', name: 'Slackbot', isApp: false };
  if (ephemeral || message.bot_id) return { id: 'app', name: state.workspace.app.botName, isApp: true };
  return { id: message.user, name: state.names.get(message.user) ?? message.user, isApp: false };
}

const key = (message, ephemeral) => (ephemeral ? `e${message.message_ts}` : `m${message.ts}`);

/** Puts `item` in `list` in ts order, replacing the one with the same key. */
function upsert(list, item) {
  const existing = list.querySelector(`[data-key="${item.dataset.key}"]`);
  if (existing) {
    existing.replaceWith(item);
    return;
  }
  const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const later = [...list.children].find((li) => Number(li.dataset.ts) > Number(item.dataset.ts));
  list.insertBefore(item, later ?? null);
  if (stick) list.scrollTop = list.scrollHeight;
}

/** A note from the page itself (a failed delivery), shown as Slack shows its own: only to you. */
function localNote(list, text) {
  state.localSeq += 1;
  const note = {
    message_ts: (Date.now() / 1000).toFixed(6),
    local: true,
    text,
    blocks: [],
  };
  const item = renderMessage(note, { ephemeral: true });
  item.dataset.key = `local${state.localSeq}`;
  upsert(list, item);
}

// ---- actions --------------------------------------------------------------------------------

async function ui(path, body) {
  const response = await fetch(`/_sim/ui/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: state.me, ...body }),
  }).catch((error) => {
    throw new Error(`the simulator did not answer (${error.message}); is it still running?`);
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail ?? answer.error ?? `HTTP ${response.status}`);
  return answer;
}

/** What Slack shows when the app did not acknowledge in time or refused the request. */
const refused = (answer) =>
  answer.status === undefined || answer.status === 200 ? undefined : `the app answered HTTP ${answer.status}`;

async function press(button, element, where) {
  if (element.confirm && !(await confirmDialog(element.confirm))) return;
  const block = button.closest('.block');
  block.querySelector('.action-error')?.remove();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    const answer = await ui('click', {
      channel: where.channel,
      ts: where.ts,
      actionId: element.action_id,
      ...(element.value === undefined ? {} : { value: element.value }),
    });
    const problem = refused(answer);
    if (problem) throw new Error(problem);
  } catch (error) {
    block.append(
      el(
        'div',
        { class: 'action-error', role: 'alert' },
        `⚠️ ${state.workspace.app.botName} did not take this: ${error.message}`,
      ),
    );
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Slack's confirm dialog; resolves true on confirm. Focus starts on the safe choice. */
function confirmDialog(confirm) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = confirm.title?.text ?? 'Are you sure?';
  $('confirm-text').replaceChildren(textObject(confirm.text));
  $('confirm-deny').textContent = confirm.deny?.text ?? 'Cancel';
  const ok = $('confirm-ok');
  ok.textContent = confirm.confirm?.text ?? 'Yes';
  ok.className = `button ${confirm.style === 'danger' ? 'danger' : 'primary'}`;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-deny').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

// ---- modal ----------------------------------------------------------------------------------

function showModal(view) {
  const dialog = $('modal-dialog');
  if (!view) {
    if (dialog.open) dialog.close();
    return;
  }
  $('modal-title').textContent = view.title?.text ?? '';
  $('modal-body').replaceChildren(renderBlocks(view.blocks, { kind: 'modal' }));
  $('modal-error').hidden = true;
  $('modal-close').textContent = view.close?.text ?? (view.submit ? 'Cancel' : 'Close');
  $('modal-submit').hidden = !view.submit;
  $('modal-submit').textContent = view.submit?.text ?? '';
  $('modal-submit').disabled = false;
  if (!dialog.open) dialog.showModal();
  dialog.querySelector('input, textarea, button')?.focus();
}

async function submitModal(event) {
  event.preventDefault();
  const form = $('modal-form');
  const values = {};
  for (const field of form.querySelectorAll('[data-block]')) values[field.name] = field.value;
  for (const error of form.querySelectorAll('.error')) error.textContent = '';
  $('modal-submit').disabled = true;
  try {
    const answer = await ui('submit', { values });
    const problem = refused(answer);
    if (problem) throw new Error(problem);
    // The app's errors per block, as Slack shows them beneath each input.
    if (answer.body?.response_action === 'errors') {
      for (const [blockId, message] of Object.entries(answer.body.errors ?? {})) {
        const target = form.querySelector(`[data-block="${CSS.escape(blockId)}"]`);
        if (target) $(`${target.id}-error`).textContent = message;
      }
    }
  } catch (error) {
    $('modal-error').textContent = `We had some trouble connecting: ${error.message}`;
    $('modal-error').hidden = false;
  } finally {
    $('modal-submit').disabled = false;
  }
  // On success the simulator closes the modal and the live feed says so.
}

async function closeModal() {
  $('modal-dialog').close();
  try {
    await ui('close', {});
  } catch (error) {
    localNote($('messages'), `Could not close the modal: ${error.message}`);
  }
}

// ---- channel, thread, home ------------------------------------------------------------------

async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

const sim = (...parts) => `/_sim/${parts.map(encodeURIComponent).join('/')}`;

function loadChannel() {
  return read(async () => {
    const [history, ephemeral] = await Promise.all([
      getJson(sim('channels', state.channel, 'history')),
      state.me ? getJson(sim('users', state.me, 'ephemeral')) : [],
    ]);
    const list = $('messages');
    list.replaceChildren();
    state.messages = new Map(history.map((message) => [message.ts, message]));
    for (const message of history) upsert(list, renderMessage(message));
    for (const e of ephemeral)
      if (e.channel === state.channel && !e.thread_ts) upsert(list, renderMessage(e, { ephemeral: true }));
    list.scrollTop = list.scrollHeight;
    if (state.thread) await loadThread();
  });
}

async function openThread(ts) {
  state.thread = ts;
  $('thread-pane').hidden = false;
  await loadThread();
  $('thread-close').focus();
}

function loadThread() {
  return read(async () => {
    const [replies, ephemeral] = await Promise.all([
      getJson(sim('channels', state.channel, 'replies', state.thread)),
      state.me ? getJson(sim('users', state.me, 'ephemeral')) : [],
    ]);
    showParent();
    const list = $('thread-replies');
    list.replaceChildren();
    for (const reply of replies) upsert(list, renderMessage(reply, { inThread: true }));
    for (const e of ephemeral) {
      if (e.channel === state.channel && e.thread_ts === state.thread)
        upsert(list, renderMessage(e, { ephemeral: true }));
    }
    countReplies();
  });
}

/** The parent on top of its thread, with buttons that act as the channel's do. */
function showParent() {
  const parent = state.messages.get(state.thread);
  $('thread-parent').replaceChildren(parent ? renderMessage(parent, { inThread: true }) : '');
}

function countReplies() {
  const count = $('thread-replies').querySelectorAll('.message:not(.ephemeral)').length;
  $('thread-count').textContent = `${count} ${count === 1 ? 'reply' : 'replies'}`;
}

function closeThread() {
  state.thread = null;
  $('thread-pane').hidden = true;
  $('messages').querySelector('.replies')?.focus();
}

function renderHome(view) {
  $('home-content').replaceChildren(
    view ? renderBlocks(view.blocks, { kind: 'home' }) : el('p', { class: 'muted' }, 'Opening Home…'),
  );
}

async function showHome() {
  state.view = 'home';
  $('channel-view').hidden = true;
  $('thread-pane').hidden = true;
  $('home-view').hidden = false;
  markCurrent();
  await read(async () => renderHome(state.me ? await getJson(sim('users', state.me, 'home')) : null));
  try {
    const answer = await ui('home', {});
    const problem = refused(answer);
    if (problem) throw new Error(problem);
  } catch (error) {
    $('home-content').prepend(
      el('p', { class: 'action-error', role: 'alert' }, `⚠️ Home did not open: ${error.message}`),
    );
  }
}

async function showChannel(channel) {
  state.view = 'channel';
  state.channel = channel;
  state.thread = null;
  const name = state.workspace.channels.find((c) => c.id === channel)?.name ?? channel;
  $('channel-title').textContent = `# ${name}`;
  $('composer-input').placeholder = `Message #${name}: type /pitstop help and press Enter`;
  document.title = `#${name} — ${state.workspace.team.name}`;
  $('home-view').hidden = true;
  $('thread-pane').hidden = true;
  $('channel-view').hidden = false;
  markCurrent();
  await loadChannel();
}

function markCurrent() {
  for (const button of document.querySelectorAll('.nav-item')) {
    const current =
      state.view === 'home' ? button.id === 'home-button' : button.dataset.channel === state.channel;
    if (current) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
}

async function sendCommand(event) {
  event.preventDefault();
  const input = $('composer-input');
  const line = input.value.trim();
  if (!line) return;
  if (!line.startsWith('/')) {
    localNote(
      $('messages'),
      'Only slash commands reach the app here (try /pitstop help): in the simulator, people do not post messages.',
    );
    return;
  }
  input.value = '';
  try {
    const answer = await ui('command', { channel: state.channel, line });
    if (refused(answer))
      localNote($('messages'), `${line.split(/\s+/)[0]} failed with the error "http_${answer.status}"`);
  } catch (error) {
    localNote($('messages'), `${line.split(/\s+/)[0]} failed: ${error.message}`);
  }
}

// ---- live feed ------------------------------------------------------------------------------

/**
 * Changes that arrive while the page reads the state are held and applied after it, in order: a
 * read that started before a change must not wipe what the change drew.
 */
let reading = 0;
const held = [];
async function read(load) {
  reading += 1;
  try {
    return await load();
  } finally {
    reading -= 1;
    if (reading === 0) for (const apply of held.splice(0)) apply();
  }
}

const LIVE = {
  message: onMessage,
  deleted({ channel, ts }) {
    if (channel !== state.channel) return;
    state.messages.delete(ts);
    for (const item of document.querySelectorAll(`[data-key="m${ts}"]`)) item.remove();
  },
  ephemeral({ ephemeral }) {
    if (ephemeral.user !== state.me || ephemeral.channel !== state.channel) return;
    const item = renderMessage(ephemeral, { ephemeral: true });
    if (!ephemeral.thread_ts) upsert($('messages'), item);
    else if (ephemeral.thread_ts === state.thread) upsert($('thread-replies'), item);
  },
  modal({ user, view }) {
    if (user === state.me) showModal(view);
  },
  home({ user, view }) {
    if (user === state.me) renderHome(view);
  },
};

function follow() {
  const events = new EventSource('/_sim/events');
  // Opened (or reopened after a break): read everything afresh, so nothing missed stays missing.
  events.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'live on';
    void refresh();
  });
  events.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
    $('live').className = 'live';
  });
  for (const [kind, apply] of Object.entries(LIVE)) {
    events.addEventListener(kind, (event) => {
      const change = JSON.parse(event.data);
      if (reading > 0) held.push(() => apply(change));
      else apply(change);
    });
  }
}

function onMessage({ channel, message }) {
  if (channel !== state.channel) return;
  const isReply = message.thread_ts && message.thread_ts !== message.ts;
  if (isReply) {
    if (message.thread_ts === state.thread) {
      upsert($('thread-replies'), renderMessage(message, { inThread: true }));
      countReplies();
    }
    return;
  }
  state.messages.set(message.ts, message);
  upsert($('messages'), renderMessage(message));
  if (message.ts === state.thread) showParent();
}

function refresh() {
  return read(async () => {
    if (state.view === 'home') {
      renderHome(state.me ? await getJson(sim('users', state.me, 'home')) : null);
    } else {
      await loadChannel();
    }
    showModal(state.me ? await getJson(sim('users', state.me, 'modal')) : null);
  });
}

// ---- start ----------------------------------------------------------------------------------

async function start() {
  const workspace = await getJson('/_sim/workspace');
  state.workspace = workspace;
  state.names.set(workspace.app.botUserId, workspace.app.botName);
  for (const user of workspace.users) state.names.set(user.id, user.realName ?? user.name);
  $('team-name').textContent = workspace.team.name;
  $('app-name').textContent = workspace.app.botName;

  const picker = $('user-picker');
  for (const user of workspace.users) {
    picker.append(el('option', { value: user.id }, `${user.realName ?? user.name} (@${user.name})`));
  }
  const wanted = params.get('user') ?? localStorage.getItem('sim-user');
  state.me = workspace.users.some((u) => u.id === wanted) ? wanted : (workspace.users[0]?.id ?? '');
  picker.value = state.me;
  picker.disabled = workspace.users.length === 0;
  picker.addEventListener('change', () => {
    state.me = picker.value;
    localStorage.setItem('sim-user', state.me);
    void refresh();
  });

  for (const channel of workspace.channels) {
    $('channel-list').append(
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            class: 'nav-item',
            'data-channel': channel.id,
            onclick: () => showChannel(channel.id),
          },
          `# ${channel.name}`,
        ),
      ),
    );
  }
  $('home-button').addEventListener('click', () => showHome());
  $('composer').addEventListener('submit', sendCommand);
  $('thread-close').addEventListener('click', closeThread);
  $('modal-form').addEventListener('submit', submitModal);
  $('modal-close').addEventListener('click', closeModal);
  $('modal-x').addEventListener('click', closeModal);
  // Escape on the modal is Slack's Cancel: the simulator forgets the view too.
  $('modal-dialog').addEventListener('cancel', (event) => {
    event.preventDefault();
    void closeModal();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && state.thread && !document.querySelector('dialog[open]')) closeThread();
  });

  const wantedChannel = params.get('channel');
  await showChannel(
    workspace.channels.some((c) => c.id === wantedChannel) ? wantedChannel : workspace.channels[0].id,
  );
  follow();
}

start().catch((error) => {
  document.body.prepend(
    el('p', { class: 'action-error', role: 'alert' }, `The page could not start: ${error.message}`),
  );
});
