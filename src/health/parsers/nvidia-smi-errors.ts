import type { CheckResult } from '../../domain/verdict.js';
import { finding, linesOf } from './common.js';

export const DRIVER_CHECK = 'nvidia-driver';

/**
 * nvidia-smi prints these instead of (or among) its normal output when the driver or a GPU is
 * gone. They are facts about the node, not unreadable output: NHC and gcm fail on them too.
 */
const DRIVER_FAILURES: { pattern: RegExp; detail: (m: RegExpMatchArray) => string; gpu?: number }[] = [
  {
    pattern: /NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/i,
    detail: () => 'nvidia-smi cannot talk to the NVIDIA driver (not loaded or wedged); reboot the node',
  },
  {
    pattern: /^No devices were found/i,
    detail: () =>
      'nvidia-smi finds no GPU at all; reboot the node, and if they stay missing OCI must replace it',
  },
  {
    pattern: /Unable to determine the device handle for (?:GPU|gpu)\s*([0-9A-Fa-f:.]+):\s*(.*)$/,
    detail: (m) => `nvidia-smi cannot open the GPU: ${m[2]}; reboot the node`,
    gpu: 1,
  },
  {
    pattern: /GPU (?:at PCI:)?([0-9A-Fa-f:.]+)?.*has fallen off the bus/i,
    detail: () => 'a GPU has fallen off the PCIe bus; reboot the node',
    gpu: 1,
  },
];

export function driverFailures(text: string): CheckResult[] {
  const results: CheckResult[] = [];
  for (const line of linesOf(text)) {
    for (const { pattern, detail, gpu } of DRIVER_FAILURES) {
      const match = line.match(pattern);
      if (match)
        results.push(finding(DRIVER_CHECK, 'fail', detail(match), 'reboot', gpu ? match[gpu] : undefined));
    }
  }
  return results;
}
