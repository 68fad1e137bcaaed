import type { types } from '@slack/bolt';
import { LIMITS } from './limits.js';

const cutNote = (count: number) => ` … (cut: ${count.toLocaleString('en-US')} more characters)`;

/** The longest unit a cut must not split: an entity is at most `&amp;`, a mention `<!subteam^S…>`. */
const LONGEST_ENTITY = 5;
const LONGEST_TOKEN = 32;

/**
 * Where a cut may fall at or before `end` without splitting what Slack reads as one unit: a
 * surrogate pair, an escaped entity (`&amp;`) or a `<…>` token (a mention such as `<@U1>`).
 */
function safeEnd(text: string, end: number): number {
  let safe = end;
  const code = text.charCodeAt(safe - 1);
  if (code >= 0xd800 && code <= 0xdbff) safe--;
  const head = text.slice(0, safe);
  const openToken = head.lastIndexOf('<');
  if (openToken > head.lastIndexOf('>') && openToken > safe - LONGEST_TOKEN) safe = openToken;
  const openEntity = head.lastIndexOf('&', safe - 1);
  if (openEntity > safe - LONGEST_ENTITY && !head.slice(openEntity, safe).includes(';')) safe = openEntity;
  return safe;
}

/**
 * The one way text is shortened to fit a Block Kit limit: kept whole when it fits, otherwise cut
 * with a visible note of how much is missing, so Slack never rejects it and the reader knows.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const longestNote = cutNote(text.length);
  if (longestNote.length * 2 > max) return `${text.slice(0, safeEnd(text, max - 1))}…`;
  const kept = safeEnd(text, max - longestNote.length);
  return `${text.slice(0, kept)}${cutNote(text.length - kept)}`;
}

/** Slack's rule for mrkdwn: `&`, `<` and `>` from outside (OCI, Slurm, users) are escaped. */
export const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escaped and then cut: for any text from OCI, Slurm or a user that goes into mrkdwn. */
export const safe = (text: string, max: number) => cut(escapeMrkdwn(text), max);

/** Slack refuses an empty text object; a dash stands for "nothing". */
const nonEmpty = (text: string) => (text.trim() === '' ? '–' : text);

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): types.MrkdwnElement => ({
  type: 'mrkdwn',
  text: cut(nonEmpty(text), max),
});

export const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: cut(nonEmpty(text), max),
  emoji: true,
});

export const header = (text: string): types.HeaderBlock => ({
  type: 'header',
  text: plain(text, LIMITS.headerText),
});

export const section = (text: string): types.SectionBlock => ({ type: 'section', text: mrkdwn(text) });

/** Label/value pairs side by side; values are mrkdwn the caller has already made safe. */
export const fieldsSection = (fields: readonly (readonly [string, string])[]): types.SectionBlock => ({
  type: 'section',
  fields: fields
    .slice(0, LIMITS.fieldsPerSection)
    .map(([label, value]) => mrkdwn(`*${label}*\n${value}`, LIMITS.fieldText)),
});

export const context = (texts: readonly string[]): types.ContextBlock => ({
  type: 'context',
  elements: texts.slice(0, LIMITS.contextElements).map((text) => mrkdwn(text)),
});

/** Kept free in the last section for the "… and N more" line. */
const MORE_ROOM = 200;

/**
 * Lines (already safe mrkdwn) packed into as few sections as fit, at most `maxBlocks` of them; what
 * does not fit is counted in a last line (`more(n)`), so a long list never breaks the block limit.
 */
export function packLines(
  lines: readonly string[],
  maxBlocks: number,
  more: (left: number) => string,
): types.SectionBlock[] {
  const texts: string[] = [];
  let current = '';
  let index = 0;
  for (; index < lines.length; index++) {
    const line = cut(lines[index]!, LIMITS.sectionText - MORE_ROOM);
    const joined = current === '' ? line : `${current}\n${line}`;
    const room = texts.length === maxBlocks - 1 ? LIMITS.sectionText - MORE_ROOM : LIMITS.sectionText;
    if (joined.length <= room) {
      current = joined;
      continue;
    }
    if (texts.length === maxBlocks - 1) break;
    texts.push(current);
    current = line;
  }
  if (index < lines.length)
    current = current === '' ? more(lines.length - index) : `${current}\n${more(lines.length - index)}`;
  if (current !== '') texts.push(current);
  return texts.map(section);
}

/** What chat.postMessage / chat.update take: blocks, and the text fallback Slack always wants. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** The blocks are within the limit by construction (tested); slicing here would drop the buttons last. */
export const message = (text: string, blocks: types.KnownBlock[]): SlackMessage => ({
  text: cut(text, LIMITS.messageText),
  blocks,
});
