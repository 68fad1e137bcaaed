import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CheckResult, decideVerdict, type Verdict } from '../../../src/domain/verdict.js';
import { type OutputFormat, type ParseOptions, parseOutput } from '../../../src/health/parsers/index.js';

export const fixture = (path: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures', path), 'utf8');

export const verdictOf = (format: OutputFormat, text: string, options: ParseOptions = {}): Verdict =>
  decideVerdict(parseOutput(format, text, options));

/** Replaces the first occurrence, failing loudly when the fixture no longer has it. */
export function edit(text: string, from: string | RegExp, to: string): string {
  const edited = text.replace(from, to);
  expect(edited, `fixture edit ${String(from)}`).not.toBe(text);
  return edited;
}

export const findingsOf = (verdict: Verdict, status: CheckResult['status']) =>
  verdict.checks.filter((c) => c.status === status);
