import { flagOf, numberOf, type Parser, unreadable } from './common.js';
import { evaluateGpus } from './gpu-checks.js';
import { GpuFacts, GpuReport } from './gpu-facts.js';
import { driverFailures } from './nvidia-smi-errors.js';
import { nodeAt, type QueryNode, readQueryTree, valueAt } from './nvidia-smi-tree.js';

/** Sums the numeric leaves under `node` whose key matches; undefined when none is a number. */
function sumOf(node: QueryNode | undefined, key: RegExp, exclude?: RegExp): number | undefined {
  let total: number | undefined;
  for (const child of node?.children ?? []) {
    if (!key.test(child.key) || exclude?.test(child.key)) continue;
    const n = numberOf(child.value);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/**
 * ECC counters come in two layouts: Ampere and later list SRAM/DRAM Correctable/Uncorrectable
 * (Hopper splits SRAM uncorrectable into Parity and SEC-DED); Volta and older group them under
 * Single Bit (correctable) and Double Bit (uncorrectable) with a Total.
 */
function eccCounts(period: QueryNode | undefined) {
  const doubleBit = numberOf(valueAt(period, 'Double Bit', 'Total'));
  const singleBit = numberOf(valueAt(period, 'Single Bit', 'Total'));
  return {
    uncorrectable: doubleBit ?? sumOf(period, /uncorrectable/i),
    correctable: singleBit ?? sumOf(period, /correctable/i, /uncorrectable/i),
    sramUncorrectable: sumOf(period, /^SRAM Uncorrectable/i),
  };
}

function factsOf(id: string, gpu: QueryNode): GpuFacts {
  const ecc = nodeAt(gpu, 'ECC Errors');
  const volatile = eccCounts(nodeAt(ecc, 'Volatile'));
  const aggregate = eccCounts(nodeAt(ecc, 'Aggregate'));
  const link = nodeAt(gpu, 'PCI', 'GPU Link Info');
  const clocks = nodeAt(gpu, 'Clocks Event Reasons') ?? nodeAt(gpu, 'Clocks Throttle Reasons');
  const hwSlowdown = nodeAt(clocks, 'HW Slowdown');
  const fabric = nodeAt(gpu, 'Fabric');
  const retired = nodeAt(gpu, 'Retired Pages');
  const remap = nodeAt(gpu, 'Remapped Rows');
  const facts = {
    id: valueAt(gpu, 'PCI', 'Bus Id') ?? id,
    product: valueAt(gpu, 'Product Name'),
    persistenceMode: flagOf(valueAt(gpu, 'Persistence Mode')),
    eccEnabled: flagOf(valueAt(gpu, 'ECC Mode', 'Current')),
    volatileUncorrectable: volatile.uncorrectable,
    volatileCorrectable: volatile.correctable,
    aggregateSramUncorrectable: aggregate.sramUncorrectable,
    sramThresholdExceeded: flagOf(valueAt(ecc, 'Aggregate', 'SRAM Threshold Exceeded')),
    retiredSingleBit: numberOf(valueAt(retired, 'Single Bit ECC')),
    retiredDoubleBit: numberOf(valueAt(retired, 'Double Bit ECC')),
    retiredPending: flagOf(valueAt(retired, 'Pending Page Blacklist')),
    remapUncorrectable: numberOf(valueAt(remap, 'Uncorrectable Error')),
    remapPending: flagOf(valueAt(remap, 'Pending')),
    remapFailure: flagOf(valueAt(remap, 'Remapping Failure Occurred')),
    pcieGenCurrent: numberOf(valueAt(link, 'PCIe Generation', 'Current')),
    pcieGenMax: numberOf(valueAt(link, 'PCIe Generation', 'Max')),
    pcieWidthCurrent: numberOf(valueAt(link, 'Link Width', 'Current')),
    pcieWidthMax: numberOf(valueAt(link, 'Link Width', 'Max')),
    hwSlowdown: flagOf(hwSlowdown?.value),
    hwThermalSlowdown: flagOf(
      valueAt(hwSlowdown, 'HW Thermal Slowdown') ?? valueAt(clocks, 'HW Thermal Slowdown'),
    ),
    hwPowerBrakeSlowdown: flagOf(
      valueAt(hwSlowdown, 'HW Power Brake Slowdown') ?? valueAt(clocks, 'HW Power Brake Slowdown'),
    ),
    swThermalSlowdown: flagOf(valueAt(clocks, 'SW Thermal Slowdown')),
    fabricState: valueAt(fabric, 'State'),
    fabricStatus: valueAt(fabric, 'Status'),
    fabricHealth: valueAt(fabric, 'Health', 'Summary'),
    resetRequired: flagOf(valueAt(gpu, 'GPU Reset Status', 'Reset Required')),
    drainAndResetRecommended: flagOf(valueAt(gpu, 'GPU Reset Status', 'Drain and Reset Recommended')),
    recoveryAction: valueAt(gpu, 'GPU Recovery Action'),
    channelRepairPending: flagOf(valueAt(ecc, 'Channel Repair Pending')),
    tpcRepairPending: flagOf(valueAt(ecc, 'TPC Repair Pending')),
    unrepairableMemory: flagOf(valueAt(ecc, 'Unrepairable Memory')),
  };
  return GpuFacts.parse(withoutUnknowns(facts));
}

/** `N/A` and empty values are as good as absent. */
function withoutUnknowns<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined && v !== '' && !/^\[?N\/A\]?$/i.test(String(v))),
  ) as Partial<T>;
}

export function readNvidiaSmiQ(text: string): GpuReport {
  const doc = readQueryTree(text);
  const attached = numberOf(doc.header.find((node) => /^Attached GPUs$/i.test(node.key))?.value);
  const gpus = doc.gpus.map(({ id, node }) => factsOf(id, node));
  return GpuReport.parse({
    attachedGpus: attached,
    gpus,
    complete: doc.gpus.some(({ node }) => valueAt(node, 'Product Name') !== undefined),
  });
}

const CHECK = 'nvidia-smi-q';

export const parseNvidiaSmiQ: Parser = (text, options) => {
  const failures = driverFailures(text);
  const report = readNvidiaSmiQ(text);
  if (report.gpus.length === 0 && report.attachedGpus === undefined) {
    return failures.length > 0 ? failures : [unreadable(CHECK, 'no "Attached GPUs" line and no GPU section')];
  }
  return [...failures, ...evaluateGpus(report, options)];
};
