import type { CheckResult, RecommendedAction } from '../../domain/verdict.js';
import { finding, linesOf, orPass, type Parser, plural, unreadable } from './common.js';

const CHECK = 'oci-hpc';
// 2026-01-16 15:36:56,867 - INFO - GPU ECC Test: Passed
const LOG_LINE = /^\S+ \S+ - (INFO|WARNING|ERROR|CRITICAL|DEBUG) - (.*)$/;

/** check_gpu_setup.py's `Healthcheck:: Recommended Action:<X>` values. */
const OCI_HPC_ACTIONS: Record<string, RecommendedAction> = {
  None: 'none',
  Reset_GPU: 'reset_gpu',
  FabricManagerRestart: 'reboot',
  Reboot: 'reboot',
  Terminate: 'terminate',
};

/** Its closing advice, printed as `Recommended Action is to …`. */
const ADVICE: [RegExp, RecommendedAction][] = [
  [/Terminate/i, 'terminate'],
  [/Reboot/i, 'reboot'],
  [/reset/i, 'reset_gpu'],
];

/** A test that could not run says nothing about the GPUs: inconclusive, not a failure. */
const CRASHED =
  /crashed|dependencies not available|No module named|Failed to (run|check|get|parse)|not found/i;

/**
 * oci-hpc's `check_gpu_setup.py` (passive) and `active_healthcheck.py` logs. They must reach
 * their "Finished" line: a log that stops early is a checker that died.
 */
export const parseOciHpc: Parser = (text) => {
  const entries = linesOf(text).flatMap((line) => {
    const m = LOG_LINE.exec(line.trim());
    return m ? [{ level: m[1]!, message: m[2]! }] : [];
  });
  if (entries.length === 0) return [unreadable(CHECK, 'no "<time> - LEVEL - message" log lines')];

  const findings: CheckResult[] = [];
  let passed = 0;
  let advised: RecommendedAction | undefined;
  for (const { level, message } of entries) {
    const healthcheck = /^Healthcheck:: (.*)$/.exec(message)?.[1];
    if (healthcheck !== undefined) {
      const action = /^Recommended Action:\s*(\S+)/.exec(healthcheck)?.[1];
      if (action !== undefined) advised = OCI_HPC_ACTIONS[action];
      else findings.push(finding(CHECK, 'fail', `drain reasons: ${healthcheck}`, 'reboot'));
      continue;
    }
    if (/^Recommended Action is to/.test(message)) {
      advised ??= ADVICE.find(([pattern]) => pattern.test(message))?.[1];
      if (/wait for OCA/i.test(message)) findings.push(finding(CHECK, 'error', message));
      continue;
    }
    // Compact runs report passes as a count: "14 checks: Passed".
    const tally = /^(\d+) checks: Passed$/.exec(message);
    if (tally) passed += Number(tally[1]);
    else if (/:\s*Passed$|Succeeded/.test(message) && level === 'INFO') passed++;
    else if (level === 'ERROR' || level === 'CRITICAL')
      findings.push(finding(CHECK, 'fail', message, 'reboot'));
    else if (level === 'WARNING') {
      findings.push(
        CRASHED.test(message) ? finding(CHECK, 'error', message) : finding(CHECK, 'warn', message),
      );
    }
  }
  if (!entries.some((e) => /^Finished /.test(e.message))) {
    findings.push(
      finding(CHECK, 'error', 'the log ends before the checker finished (it crashed or was cut off)'),
    );
  }
  // The checker's own recommendation is the best-informed action for its failures.
  const judged =
    advised === undefined || advised === 'none'
      ? findings
      : findings.map((f) => (f.status === 'fail' ? { ...f, action: advised } : f));
  if (passed === 0 && judged.length === 0) return [unreadable(CHECK, 'no check reported Passed or Failed')];
  return orPass(CHECK, judged, `${plural(passed, 'oci-hpc check')} passed`);
};
