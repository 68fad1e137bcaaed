import { describe, expect, it } from 'vitest';
import { cut, escapeMrkdwn, packLines, safe } from '../../../src/slack/blocks/text.js';

const noteCount = (text: string) =>
  Number(/\(cut: ([\d,]+) more characters\)$/.exec(text)?.[1]?.replace(/,/g, ''));

describe('cut', () => {
  it('keeps text that fits as it is', () => {
    expect(cut('gpu-1', 5)).toBe('gpu-1');
  });

  it('cuts to the limit with a note that counts exactly what is missing', () => {
    const text = 'x'.repeat(5000);
    const result = cut(text, 3000);
    expect(result.length).toBeLessThanOrEqual(3000);
    const kept = result.indexOf(' … (cut:');
    expect(result).toMatch(/ … \(cut: 2,0\d\d more characters\)$/);
    expect(kept + noteCount(result)).toBe(5000);
  });

  it('never splits an escaped entity, a mention or an emoji', () => {
    const entities = cut(escapeMrkdwn('&'.repeat(2000)), 3000);
    expect(entities.slice(0, entities.indexOf(' … (cut:'))).toMatch(/^(&amp;)+$/);
    const mentions = cut('<@U0APPROVER> '.repeat(500), 3000);
    expect(mentions.slice(0, mentions.indexOf(' … (cut:'))).toMatch(/^(<@U0APPROVER> ?)+$/);
    const emoji = cut('✅🚀'.repeat(2000), 3000);
    expect(emoji.slice(0, emoji.indexOf(' … (cut:'))).toMatch(/^(✅🚀?|🚀)+$/u);
  });

  it('cuts short limits with an ellipsis alone', () => {
    expect(cut('Approve this maintenance now please', 24)).toBe('Approve this maintenanc…');
  });
});

describe('escapeMrkdwn', () => {
  it("escapes Slack's three control characters and nothing else", () => {
    expect(escapeMrkdwn('<!channel> a&b > `x` *y*')).toBe('&lt;!channel&gt; a&amp;b &gt; `x` *y*');
  });

  it('is applied before cutting by safe()', () => {
    expect(safe('<'.repeat(10), 3000)).toBe('&lt;'.repeat(10));
  });
});

describe('packLines', () => {
  it('packs lines into as few sections as fit, in order', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(80)}`);
    const sections = packLines(lines, 10, (n) => `${n} more`);
    expect(sections.length).toBe(4);
    const texts = sections.map((s) => s.text?.text ?? '');
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(texts.join('\n').split('\n')).toEqual(lines);
  });

  it('keeps the count of lines left out even when every line is near the section limit', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `${i} ${'w'.repeat(2995)}`);
    const sections = packLines(lines, 2, (n) => `… and ${n} more`);
    expect(sections.map((s) => s.text!.text.length).every((length) => length <= 3000)).toBe(true);
    expect(sections[1]!.text!.text).toMatch(/… and 8 more$/);
  });

  it('stops at the block budget and counts the lines left out', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(80)}`);
    const sections = packLines(lines, 3, (n) => `… and ${n} more`);
    expect(sections.length).toBe(3);
    const last = sections[2]!.text!.text;
    expect(last.length).toBeLessThanOrEqual(3000);
    const shown = sections
      .map((s) => s.text!.text)
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line '));
    expect(last).toMatch(new RegExp(`… and ${1000 - shown.length} more$`));
    expect(shown).toEqual(lines.slice(0, shown.length));
  });
});
