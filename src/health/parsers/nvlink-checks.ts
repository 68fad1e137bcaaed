import type { CheckResult } from '../../domain/verdict.js';
import { finding, orPass, type ParseOptions, plural } from './common.js';

export interface Link {
  index: number;
  state: 'up' | 'down' | 'disabled' | 'unsupported';
  /** GB/s as nvidia-smi prints it; absent from DCGM's status view. */
  gbps?: number;
}

export interface GpuLinks {
  gpu: string;
  links: Link[];
  /** NVML refused to list the links because none is active. */
  allInactive?: boolean;
}

export interface LinkCounter {
  gpu: string;
  link: number;
  counter: string;
  value: number;
}

const SPEED_TOLERANCE = 0.99;

function judgeGpu(gpu: GpuLinks, options: ParseOptions): CheckResult | undefined {
  const check = 'nvlink-status';
  const expected = options.shape?.nvlinksPerGpu;
  const expectedSpeed = options.shape?.nvlinkGBps;
  if (gpu.allInactive) return finding(check, 'fail', 'all NVLinks are inactive', 'reboot', gpu.gpu);
  const down = gpu.links.filter((l) => l.state === 'down').map((l) => l.index);
  if (down.length > 0) {
    return finding(check, 'fail', `NVLink ${down.join(', ')} down`, 'reboot', gpu.gpu);
  }
  const up = gpu.links.filter((l) => l.state === 'up');
  if (expected !== undefined && up.length < expected) {
    return finding(check, 'fail', `${up.length} of ${expected} NVLinks up`, 'terminate', gpu.gpu);
  }
  const speeds = up.flatMap((l) => (l.gbps === undefined ? [] : [l.gbps]));
  // Without the shape's figure, links of one GPU must at least agree with each other.
  const floor = (expectedSpeed ?? Math.max(...speeds)) * SPEED_TOLERANCE;
  const slow = up.filter((l) => l.gbps !== undefined && l.gbps < floor);
  if (slow.length > 0) {
    const shown = slow.map((l) => `link ${l.index} at ${l.gbps} GB/s`).join(', ');
    const want = expectedSpeed ?? Math.max(...speeds);
    return finding(check, 'fail', `${shown}, below ${want} GB/s`, 'reboot', gpu.gpu);
  }
  const disabled = gpu.links.filter((l) => l.state === 'disabled').map((l) => l.index);
  if (disabled.length > 0)
    return finding(check, 'warn', `NVLink ${disabled.join(', ')} disabled`, 'none', gpu.gpu);
  return undefined;
}

/** Every GPU's links up, as many as the shape has, at its speed. */
export function judgeLinks(gpus: GpuLinks[], options: ParseOptions): CheckResult[] {
  const check = 'nvlink-status';
  const findings = gpus.flatMap((gpu) => judgeGpu(gpu, options) ?? []);
  const expectedGpus = options.expectGpus ?? options.shape?.gpus;
  if (expectedGpus !== undefined && gpus.length < expectedGpus) {
    findings.push(
      finding(check, 'fail', `only ${gpus.length} of ${expectedGpus} GPUs report NVLinks`, 'reboot'),
    );
  }
  const links = gpus.reduce((n, gpu) => n + gpu.links.filter((l) => l.state === 'up').length, 0);
  return orPass(check, findings, `${plural(gpus.length, 'GPU')}, ${plural(links, 'NVLink')} up`);
}

/**
 * Error counters reset at boot, so after maintenance any count is recent. A recovery error means
 * a link went down and retrained (fail, as gcm does); CRC and replay errors are retried by the
 * hardware and only shown.
 */
export function judgeCounters(counters: LinkCounter[]): CheckResult[] {
  const check = 'nvlink-errors';
  const findings = counters
    .filter((c) => c.value > 0)
    .map((c) => {
      const detail = `NVLink ${c.link}: ${c.value} ${c.counter}`;
      return /recovery/i.test(c.counter)
        ? finding(check, 'fail', detail, 'reboot', c.gpu)
        : finding(check, 'warn', detail, 'none', c.gpu);
    });
  const links = new Set(counters.map((c) => `${c.gpu}/${c.link}`)).size;
  return orPass(
    check,
    findings,
    `${plural(counters.length, 'error counter')} on ${plural(links, 'link')} at zero`,
  );
}
