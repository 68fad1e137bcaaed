import { z } from 'zod';

// The checks and the per-shape limits they are judged by: names the configuration takes
// (HEALTH_CHECKS, HEALTH_SHAPES), so they live here rather than in the health adapter.

/** The checks a node can be put through; the names are HEALTH_CHECKS values. */
export const HealthCheckName = z.enum([
  'nvidia-smi-q',
  'nvidia-smi-nvlink',
  'dmesg',
  'dcgmi-diag',
  'oci-hpc',
]);
export type HealthCheckName = z.infer<typeof HealthCheckName>;

/**
 * Limits a verdict is judged by. The defaults follow NVIDIA's guidance: a GPU whose retired-page
 * table nears its 64-page capacity (page retirement, pre-A100) needs replacing; an aggregate SRAM
 * uncorrectable count above 4 is RMA territory (stas00/ml-engineering, NVIDIA's SRAM threshold).
 */
export const Thresholds = z.object({
  retiredPagesMax: z.number().int().positive().default(60),
  aggregateSramUncorrectableMax: z.number().int().nonnegative().default(4),
  /** Correctable errors never fail a node, but this many since boot is worth a warning. */
  volatileCorrectableWarn: z.number().int().positive().default(1_000),
});
export type Thresholds = z.infer<typeof Thresholds>;

export const ShapeProfile = z.object({
  gpus: z.number().int().nonnegative(),
  /** NVLinks per GPU; absent when the shape has none (PCIe cards). */
  nvlinksPerGpu: z.number().int().positive().optional(),
  /** The slowest acceptable link, GB/s as `nvidia-smi nvlink -s` prints it. */
  nvlinkGBps: z.number().positive().optional(),
  /** Checks that do not apply to this shape, with the reason shown to the operator. */
  skip: z.partialRecord(HealthCheckName, z.string()).default({}),
  thresholds: Thresholds.default(Thresholds.parse({})),
});
export type ShapeProfile = z.infer<typeof ShapeProfile>;

/**
 * A site's changes to shapes, by shape name: another threshold, a check skipped, or a shape we
 * do not list. Meant for a configuration variable (e.g. HEALTH_SHAPES as JSON).
 */
export const ShapeOverrides = z.record(z.string(), ShapeProfile.partial());
export type ShapeOverride = z.input<typeof ShapeOverrides>[string];
