import { z } from 'zod';

/**
 * What an operator should do about a check's finding, weakest first. `fix_config` is a node
 * setting (e.g. persistence mode off), not a hardware fault; `terminate` means the hardware
 * needs OCI: open a ticket or terminate the instance so OCI replaces the host.
 */
export const RecommendedAction = z.enum(['none', 'fix_config', 'reset_gpu', 'reboot', 'terminate']);
export type RecommendedAction = z.infer<typeof RecommendedAction>;

const ACTION_RANK: Record<RecommendedAction, number> = {
  none: 0,
  fix_config: 1,
  reset_gpu: 2,
  reboot: 3,
  terminate: 4,
};

export function strongestAction(actions: Iterable<RecommendedAction>): RecommendedAction {
  let strongest: RecommendedAction = 'none';
  for (const action of actions) if (ACTION_RANK[action] > ACTION_RANK[strongest]) strongest = action;
  return strongest;
}

/** `warn` is shown to the operator but does not keep a node out. */
export const CheckStatus = z.enum(['pass', 'warn', 'fail', 'error']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const CheckResult = z.object({
  check: z.string().min(1),
  status: CheckStatus,
  detail: z.string(),
  action: RecommendedAction,
  /** GPU the finding is about (PCI bus id or index), when it is about one. */
  gpu: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const VerdictStatus = z.enum(['PASS', 'FAIL', 'ERROR']);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const Verdict = z.object({
  status: VerdictStatus,
  /** Every failing (or unreadable) finding, one line each. */
  reasons: z.array(z.string()),
  warnings: z.array(z.string()),
  action: RecommendedAction,
  checks: z.array(CheckResult),
});
export type Verdict = z.infer<typeof Verdict>;

const line = (result: CheckResult) =>
  `${result.check}${result.gpu === undefined ? '' : ` (GPU ${result.gpu})`}: ${result.detail}`;

/**
 * PASS only when every check passed (warnings allowed). Any failure makes it FAIL, even when
 * other checks could not run: a known fault is the stronger fact. Otherwise an unreadable or
 * missing check makes it ERROR, and no checks at all is ERROR too: nothing was proven.
 */
export function decideVerdict(checks: readonly CheckResult[]): Verdict {
  const failed = checks.filter((c) => c.status === 'fail');
  const errored = checks.filter((c) => c.status === 'error');
  const warnings = checks.filter((c) => c.status === 'warn').map(line);
  if (failed.length > 0) {
    return {
      status: 'FAIL',
      reasons: failed.map(line),
      warnings,
      action: strongestAction(failed.map((c) => c.action)),
      checks: [...checks],
    };
  }
  if (errored.length > 0 || checks.length === 0) {
    return {
      status: 'ERROR',
      reasons: checks.length === 0 ? ['no health check produced a result'] : errored.map(line),
      warnings,
      action: 'none',
      checks: [...checks],
    };
  }
  return { status: 'PASS', reasons: [], warnings, action: 'none', checks: [...checks] };
}
