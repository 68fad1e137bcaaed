import { z } from 'zod';
import type { CheckResult } from '../../domain/verdict.js';
import { finding, orPass, type Parser, plural, unreadable } from './common.js';
import { dcgmAction } from './dcgm-actions.js';

const CHECK = 'dcgmi-diag';

const Warning = z.union([
  z.string(),
  z.object({
    warning: z.string(),
    error_id: z.number().optional(),
    error_category: z.number().optional(),
    error_severity: z.number().optional(),
  }),
]);

const Result = z.object({
  status: z.string(),
  /** DCGM 3.x: "0,1,2" or a bare number. */
  gpu_ids: z.union([z.string(), z.number()]).optional(),
  /** DCGM 4.x: entity_group "GPU" with entity_id. */
  entity_group: z.string().optional(),
  entity_id: z.number().optional(),
  warnings: z.array(Warning).optional(),
  info: z.union([z.string(), z.array(z.string())]).optional(),
});

const Test = z.object({
  name: z.string(),
  results: z.array(Result).default([]),
  test_summary: z.object({ status: z.string() }).optional(),
});

const Category = z.object({
  category: z.string(),
  // DCGM 3.1 writes `null` between tests.
  tests: z.array(Test.nullable()),
});

const Diagnostic = z.object({ test_categories: z.array(Category) });

/** 3.x names the top level "DCGM GPU Diagnostic", 4.x "DCGM Diagnostic". */
const Document = z.union([
  z.object({ 'DCGM GPU Diagnostic': Diagnostic }).transform((d) => d['DCGM GPU Diagnostic']),
  z.object({ 'DCGM Diagnostic': Diagnostic }).transform((d) => d['DCGM Diagnostic']),
]);

/** dcgmi's exit statuses that still come with results to read: the diagnostic found failures. */
const FAILURE_EXITS = [205, 226];

function statusOf(status: string): 'pass' | 'fail' | 'warn' | 'skip' | undefined {
  const s = status.trim().toLowerCase();
  if (s === 'pass') return 'pass';
  if (s === 'fail') return 'fail';
  if (s === 'warn' || s === 'warning') return 'warn';
  if (s === 'skip' || s === 'not run' || s === 'skipped') return 'skip';
  return undefined;
}

function gpuOf(result: z.infer<typeof Result>): string | undefined {
  if (result.entity_id !== undefined) return `${result.entity_id}`;
  return result.gpu_ids === undefined ? undefined : String(result.gpu_ids);
}

function judge(test: z.infer<typeof Test>, category: string): CheckResult[] {
  const findings: CheckResult[] = [];
  for (const result of test.results) {
    const status = statusOf(result.status);
    const messages = (result.warnings ?? []).map((w) => (typeof w === 'string' ? { warning: w } : w));
    const text = messages.map((w) => w.warning).join(' ') || `${test.name} ${result.status}`;
    const gpu = gpuOf(result);
    if (status === undefined) {
      findings.push(
        finding(CHECK, 'error', `${category}/${test.name}: unknown status "${result.status}"`, 'none', gpu),
      );
    } else if (status === 'fail') {
      const first = messages[0];
      const action = dcgmAction(test.name, text, first?.error_severity, first?.error_category);
      findings.push(finding(CHECK, 'fail', `${category}/${test.name}: ${text}`, action, gpu));
    } else if (status === 'warn') {
      findings.push(finding(CHECK, 'warn', `${category}/${test.name}: ${text}`, 'none', gpu));
    }
  }
  return findings;
}

/** `dcgmi diag -r N -j`, DCGM 3.x or 4.x, with any text dcgmi printed before the JSON. */
export const parseDcgmiDiagJson: Parser = (text, options) => {
  const start = text.indexOf('{');
  if (start < 0) return [unreadable(CHECK, firstLine(text))];
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start));
  } catch (error) {
    return [unreadable(CHECK, `not JSON (${(error as Error).message})`)];
  }
  const parsed = Document.safeParse(json);
  if (!parsed.success) {
    return [
      unreadable(CHECK, 'neither a "DCGM GPU Diagnostic" (3.x) nor a "DCGM Diagnostic" (4.x) document'),
    ];
  }
  const tests = parsed.data.test_categories.flatMap((c) =>
    c.tests.flatMap((t) => (t === null ? [] : [{ test: t, category: c.category }])),
  );
  const findings = tests.flatMap(({ test, category }) => judge(test, category));
  const ran = tests.filter(({ test }) => test.results.some((r) => statusOf(r.status) !== 'skip'));
  if (ran.length === 0) return [unreadable(CHECK, 'no test ran (all skipped or none listed)')];
  const exit = options.exitCode;
  const failed = findings.some((f) => f.status === 'fail');
  if (exit !== undefined && exit !== 0 && !FAILURE_EXITS.includes(exit)) {
    findings.push(finding(CHECK, 'error', `dcgmi exited ${exit}: the diagnostic did not complete`));
  } else if (exit !== undefined && FAILURE_EXITS.includes(exit) && !failed) {
    findings.push(finding(CHECK, 'error', `dcgmi exited ${exit} (failures found) but its results show none`));
  }
  return orPass(CHECK, findings, `${plural(ran.length, 'DCGM test')} passed`);
};

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 200) || 'empty output';
