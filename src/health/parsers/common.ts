import type { ShapeProfile } from '../../domain/health-checks.js';
import type { CheckResult, CheckStatus, RecommendedAction } from '../../domain/verdict.js';

/** What a parser may be told about the node beyond the text itself. */
export interface ParseOptions {
  /** GPUs the node should have (from its shape or the operator). */
  expectGpus?: number;
  shape?: ShapeProfile;
  /** Only kernel messages at or after this time count (the maintenance ended then). */
  since?: Date;
  /** The command's exit status, when the output came from running it. */
  exitCode?: number;
}

export type Parser = (text: string, options: ParseOptions) => CheckResult[];

// nvidia-smi underlines table headers with ANSI escapes even when not on a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** The text as lines, without ANSI escapes or carriage returns. */
export const linesOf = (text: string): string[] => text.replace(ANSI, '').split(/\r?\n/);

export function finding(
  check: string,
  status: CheckStatus,
  detail: string,
  action: RecommendedAction = 'none',
  gpu?: string,
): CheckResult {
  return gpu === undefined ? { check, status, detail, action } : { check, status, detail, action, gpu };
}

/** A check whose input could not be read: never a pass. */
export const unreadable = (check: string, why: string): CheckResult =>
  finding(check, 'error', `could not read the output: ${why}`);

/** The findings of one check, or a single pass saying what was verified when there are none. */
export const orPass = (check: string, findings: CheckResult[], passDetail: string): CheckResult[] =>
  findings.length > 0 ? findings : [finding(check, 'pass', passDetail)];

/** A number as nvidia-smi and DCGM print it; `N/A` and friends are undefined. */
export function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*\[?(-?\d+(?:\.\d+)?)/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Yes/No, Enabled/Disabled, Active/Not Active, On/Off; anything else is undefined. */
export function flagOf(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined) return undefined;
  if (['yes', 'enabled', 'active', 'on', 'true'].includes(v)) return true;
  if (['no', 'disabled', 'not active', 'off', 'false'].includes(v)) return false;
  return undefined;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
