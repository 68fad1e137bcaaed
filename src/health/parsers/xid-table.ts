import type { RecommendedAction } from '../../domain/verdict.js';

/**
 * How Pitstop judges each NVIDIA Xid after maintenance: the one table for it. Sources: NVIDIA's
 * Xid catalog and its GPU memory-error guidance, with the split between application faults
 * (warn: shown, the node returns) and hardware faults (fail) that oci-hpc's xid_checker,
 * gcm and gpud draw. An Xid missing here is judged `error`: Pitstop cannot tell, so a person
 * must look before the node returns.
 */
export interface XidRule {
  name: string;
  severity: 'warn' | 'fail';
  action: RecommendedAction;
}

const app = (name: string): XidRule => ({ name, severity: 'warn', action: 'none' });
const hw = (name: string, action: RecommendedAction): XidRule => ({ name, severity: 'fail', action });

export const XID_TABLE: Record<number, XidRule> = {
  8: app('GPU stopped processing (usually the application)'),
  13: app('Graphics engine exception (application fault)'),
  31: app('GPU memory page fault (application fault)'),
  32: app('Invalid or corrupted push buffer stream'),
  38: hw('Driver firmware error', 'reboot'),
  43: app('GPU stopped processing (application fault)'),
  45: app('Preemptive cleanup after an earlier error'),
  48: hw('Double-bit ECC error (uncorrectable DBE)', 'reboot'),
  54: hw('Auxiliary power is not connected to the GPU', 'terminate'),
  56: hw('Display engine error', 'reboot'),
  57: hw('Error programming video memory interface', 'terminate'),
  58: hw('Unstable video memory interface', 'terminate'),
  61: hw('Internal micro-controller breakpoint/warning', 'reset_gpu'),
  62: hw('Internal micro-controller halt', 'reset_gpu'),
  63: hw('Row remap / page retirement recorded; reset the GPU to apply it', 'reboot'),
  64: hw('Row remap / page retirement recording failed', 'terminate'),
  68: app('Video decoder exception'),
  69: app('Graphics engine class error'),
  74: hw('NVLink error', 'reboot'),
  79: hw('GPU has fallen off the bus', 'reboot'),
  80: hw('Corrupted data sent to the GPU', 'reboot'),
  81: hw('VGA subsystem error', 'terminate'),
  92: hw('High single-bit ECC error rate', 'reset_gpu'),
  94: hw('Contained ECC error; reset the GPU to remap', 'reset_gpu'),
  95: hw('Uncontained ECC error', 'reboot'),
  109: app('Context switch timeout'),
  110: hw('Security fault', 'reboot'),
  119: hw('GSP RPC timeout', 'reboot'),
  120: hw('GSP error', 'reboot'),
  121: hw('C2C link error', 'reboot'),
  122: hw('SPI PMU RPC read failure', 'reboot'),
  123: hw('SPI PMU RPC write failure', 'reboot'),
  124: hw('SPI PMU RPC erase failure', 'reboot'),
  140: hw('Unrecovered ECC error', 'reboot'),
  143: hw('GPU initialization failure', 'terminate'),
  154: hw('GPU recovery action changed (read the message for the action)', 'reboot'),
};

/**
 * Kernel messages from the NVIDIA driver that mean a GPU is unusable even without an Xid line.
 */
export const KERNEL_FAILURES: { pattern: RegExp; detail: string; action: RecommendedAction }[] = [
  {
    pattern: /NVRM: .*RmInitAdapter failed/,
    detail: 'the driver could not initialise a GPU',
    action: 'reboot',
  },
  { pattern: /NVRM: .*fallen off the bus/i, detail: 'a GPU has fallen off the bus', action: 'reboot' },
];
