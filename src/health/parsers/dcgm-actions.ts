import type { RecommendedAction } from '../../domain/verdict.js';

/**
 * What to do about a failed DCGM test. DCGM 4.x gives each warning a severity (dcgmErrorSeverity:
 * 1 MONITOR, 2 ISOLATE, 3 UNKNOWN, 4 TRIAGE, 5 CONFIG, 6 RESET) and a category (3 SOFTWARE_CONFIG,
 * 9-15 HARDWARE_*); DCGM 3.x and the text tables only give the test and its message, so the
 * message is read for the cases that are not hardware faults.
 */
export function dcgmAction(
  test: string,
  message: string,
  severity?: number,
  category?: number,
): RecommendedAction {
  if (severity === 5 || category === 3 || /persistence mode/i.test(message)) return 'fix_config';
  if (severity === 6) return 'reset_gpu';
  if (/row remap|pending|reset/i.test(message)) return 'reboot';
  if (severity === 2 || (category !== undefined && category >= 9 && category <= 15)) return 'terminate';
  // Deployment tests check the software stack; the rest exercise the hardware.
  return /^(software|deployment|denylist|blacklist|nvml|cuda|permission|environment)/i.test(test)
    ? 'reboot'
    : 'terminate';
}
