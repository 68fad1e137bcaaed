import type { Verdict, VerdictStatus } from '../domain/verdict.js';

export const EXIT_CODES: Record<VerdictStatus, number> = { PASS: 0, FAIL: 1, ERROR: 2 };

const ACTION_ADVICE: Record<Verdict['action'], string> = {
  none: '',
  fix_config: 'fix the node configuration (not a hardware fault), then check again',
  reset_gpu: 'reset the GPU (nvidia-smi -r) or reboot, then check again',
  reboot: 'reboot the node, then check again',
  terminate: 'hardware fault: open an OCI ticket or terminate the instance so OCI replaces the host',
};

/** The verdict for a terminal or a Slack thread: status first, then why, then what to do. */
export function formatVerdict(verdict: Verdict, subject?: string): string {
  const lines = [`${verdict.status}${subject ? ` ${subject}` : ''}`];
  for (const reason of verdict.reasons) lines.push(`  ✗ ${reason}`);
  for (const warning of verdict.warnings) lines.push(`  ! ${warning}`);
  if (verdict.status === 'PASS') {
    for (const check of verdict.checks.filter((c) => c.status === 'pass')) {
      lines.push(`  ✓ ${check.check}: ${check.detail}`);
    }
  }
  if (verdict.action !== 'none') lines.push(`Recommended action: ${ACTION_ADVICE[verdict.action]}`);
  if (verdict.status === 'ERROR') lines.push('The checks could not tell: the node stays out until they can.');
  return lines.join('\n');
}
