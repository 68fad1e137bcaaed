import type { z } from 'zod';
import { type ShapeOverride, ShapeProfile } from '../domain/health-checks.js';

const noNvlink = { 'nvidia-smi-nvlink': 'this shape has no NVLink' };

/**
 * OCI GPU shapes. GPU counts, link counts and the slowest acceptable link speed follow oci-hpc's
 * check_gpu_setup.py (its NVLink table gives minimums: 25 GB/s for NVLink3/4, 50 for NVLink5);
 * H100/H200 links report 26.562 GB/s, so that is their floor here. V100 SXM2: 6 links at
 * 25.781 GB/s.
 */
const SHAPES: Record<string, z.input<typeof ShapeProfile>> = {
  'BM.GPU.H100.8': { gpus: 8, nvlinksPerGpu: 18, nvlinkGBps: 26.562 },
  'BM.GPU.H200.8': { gpus: 8, nvlinksPerGpu: 18, nvlinkGBps: 26.562 },
  'BM.GPU.B200.8': { gpus: 8, nvlinksPerGpu: 18, nvlinkGBps: 50 },
  'BM.GPU.GB200.4': { gpus: 4, nvlinksPerGpu: 18, nvlinkGBps: 50 },
  'BM.GPU.GB200-v2.4': { gpus: 4, nvlinksPerGpu: 18, nvlinkGBps: 50 },
  'BM.GPU.GB200-v3.4': { gpus: 4, nvlinksPerGpu: 18, nvlinkGBps: 50 },
  'BM.GPU.GB300.4': { gpus: 4, nvlinksPerGpu: 18, nvlinkGBps: 50 },
  'BM.GPU.A100-v2.8': { gpus: 8, nvlinksPerGpu: 12, nvlinkGBps: 25 },
  'BM.GPU.B4.8': { gpus: 8, nvlinksPerGpu: 12, nvlinkGBps: 25 },
  'BM.GPU4.8': { gpus: 8, nvlinksPerGpu: 12, nvlinkGBps: 25 },
  'VM.GPU.A100.40G.1': { gpus: 1, nvlinksPerGpu: 12, nvlinkGBps: 25 },
  'VM.GPU.A100.80G.1': { gpus: 1, nvlinksPerGpu: 12, nvlinkGBps: 25 },
  'BM.GPU3.8': { gpus: 8, nvlinksPerGpu: 6, nvlinkGBps: 25.781 },
  'BM.GPU.L40S.4': { gpus: 4, skip: noNvlink },
  'BM.GPU.L40S-NC.4': { gpus: 4, skip: noNvlink },
  'BM.GPU.A10.4': { gpus: 4, skip: noNvlink },
  'VM.GPU.A10.1': { gpus: 1, skip: noNvlink },
  'VM.GPU.A10.2': { gpus: 2, skip: noNvlink },
};

export const KNOWN_SHAPES = Object.keys(SHAPES);

/**
 * The profile for a shape with the site's overrides merged in. Unknown shapes give undefined:
 * the caller must then be told the expected GPU count, never guess it.
 */
export function shapeProfile(
  shape: string | undefined,
  overrides: Record<string, ShapeOverride> = {},
): ShapeProfile | undefined {
  if (shape === undefined) return undefined;
  const base = SHAPES[shape];
  const override = overrides[shape];
  if (base === undefined && override === undefined) return undefined;
  return ShapeProfile.parse({
    ...base,
    ...override,
    skip: { ...base?.skip, ...override?.skip },
    thresholds: { ...base?.thresholds, ...override?.thresholds },
  });
}
