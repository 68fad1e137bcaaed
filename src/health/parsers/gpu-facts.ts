import { z } from 'zod';

const count = z.number().int().nonnegative().optional();
const flag = z.boolean().optional();
const text = z.string().min(1).optional();

/**
 * What one GPU says about itself, whichever nvidia-smi output it came from (`-q`, `--query-gpu`
 * CSV, the default table, `-L`). Absent means the output did not show it, never "fine".
 */
export const GpuFacts = z.object({
  /** PCI bus id, or the index when the output gives no bus id. */
  id: z.string().min(1),
  product: text,
  persistenceMode: flag,
  eccEnabled: flag,
  volatileUncorrectable: count,
  volatileCorrectable: count,
  aggregateSramUncorrectable: count,
  sramThresholdExceeded: flag,
  retiredSingleBit: count,
  retiredDoubleBit: count,
  retiredPending: flag,
  remapUncorrectable: count,
  remapPending: flag,
  remapFailure: flag,
  pcieGenCurrent: count,
  pcieGenMax: count,
  pcieWidthCurrent: count,
  pcieWidthMax: count,
  hwSlowdown: flag,
  hwThermalSlowdown: flag,
  hwPowerBrakeSlowdown: flag,
  swThermalSlowdown: flag,
  fabricState: text,
  fabricStatus: text,
  fabricHealth: text,
  resetRequired: flag,
  drainAndResetRecommended: flag,
  recoveryAction: text,
  channelRepairPending: flag,
  tpcRepairPending: flag,
  unrepairableMemory: flag,
});
export type GpuFacts = z.infer<typeof GpuFacts>;

export const GpuReport = z.object({
  /** How many GPUs the output says the node has; undefined when it does not say. */
  attachedGpus: count,
  gpus: z.array(GpuFacts),
  /**
   * The output is a full per-GPU document (`nvidia-smi -q` without `-d`), so a missing ECC,
   * row-remap or PCIe section is itself a finding: the output cannot be trusted to be whole.
   */
  complete: z.boolean(),
});
export type GpuReport = z.infer<typeof GpuReport>;
