import { flagOf, linesOf, numberOf, type Parser, unreadable } from './common.js';
import { evaluateGpus } from './gpu-checks.js';
import { GpuFacts, GpuReport } from './gpu-facts.js';
import { driverFailures } from './nvidia-smi-errors.js';

/**
 * `nvidia-smi --query-gpu=<fields> --format=csv` column → fact. Throttle reasons were renamed
 * clocks_event_reasons in driver 535; both names are read.
 */
const COLUMNS: Record<string, { fact: keyof GpuFacts; kind: 'text' | 'number' | 'flag' }> = {
  'pci.bus_id': { fact: 'id', kind: 'text' },
  name: { fact: 'product', kind: 'text' },
  persistence_mode: { fact: 'persistenceMode', kind: 'flag' },
  'ecc.mode.current': { fact: 'eccEnabled', kind: 'flag' },
  'ecc.errors.uncorrected.volatile.total': { fact: 'volatileUncorrectable', kind: 'number' },
  'ecc.errors.corrected.volatile.total': { fact: 'volatileCorrectable', kind: 'number' },
  'ecc.errors.uncorrected.aggregate.sram': { fact: 'aggregateSramUncorrectable', kind: 'number' },
  'ecc.errors.uncorrected.aggregate.sram.thresholdexceeded': { fact: 'sramThresholdExceeded', kind: 'flag' },
  'retired_pages.single_bit_ecc.count': { fact: 'retiredSingleBit', kind: 'number' },
  'retired_pages.double_bit.count': { fact: 'retiredDoubleBit', kind: 'number' },
  'retired_pages.pending': { fact: 'retiredPending', kind: 'flag' },
  'remapped_rows.uncorrectable': { fact: 'remapUncorrectable', kind: 'number' },
  'remapped_rows.pending': { fact: 'remapPending', kind: 'flag' },
  'remapped_rows.failure': { fact: 'remapFailure', kind: 'flag' },
  'pcie.link.gen.current': { fact: 'pcieGenCurrent', kind: 'number' },
  'pcie.link.gen.max': { fact: 'pcieGenMax', kind: 'number' },
  'pcie.link.width.current': { fact: 'pcieWidthCurrent', kind: 'number' },
  'pcie.link.width.max': { fact: 'pcieWidthMax', kind: 'number' },
  'clocks_event_reasons.hw_slowdown': { fact: 'hwSlowdown', kind: 'flag' },
  'clocks_event_reasons.hw_thermal_slowdown': { fact: 'hwThermalSlowdown', kind: 'flag' },
  'clocks_event_reasons.hw_power_brake_slowdown': { fact: 'hwPowerBrakeSlowdown', kind: 'flag' },
  'clocks_event_reasons.sw_thermal_slowdown': { fact: 'swThermalSlowdown', kind: 'flag' },
  'clocks_throttle_reasons.hw_slowdown': { fact: 'hwSlowdown', kind: 'flag' },
  'clocks_throttle_reasons.hw_thermal_slowdown': { fact: 'hwThermalSlowdown', kind: 'flag' },
  'clocks_throttle_reasons.hw_power_brake_slowdown': { fact: 'hwPowerBrakeSlowdown', kind: 'flag' },
  'clocks_throttle_reasons.sw_thermal_slowdown': { fact: 'swThermalSlowdown', kind: 'flag' },
  'fabric.state': { fact: 'fabricState', kind: 'text' },
  'fabric.status': { fact: 'fabricStatus', kind: 'text' },
  'fabric.health.summary': { fact: 'fabricHealth', kind: 'text' },
  gpu_recovery_action: { fact: 'recoveryAction', kind: 'text' },
  'reset_status.reset_required': { fact: 'resetRequired', kind: 'flag' },
  'reset_status.drain_and_reset_recommended': { fact: 'drainAndResetRecommended', kind: 'flag' },
};

/** `[N/A]`, `[Not Supported]`, `[Requested functionality has been deprecated]`: not shown. */
const UNKNOWN = /^\[.*\]$|^N\/A$/i;

function value(raw: string | undefined, kind: 'text' | 'number' | 'flag') {
  const cell = raw?.trim();
  if (cell === undefined || cell === '' || UNKNOWN.test(cell)) return undefined;
  if (kind === 'number') return numberOf(cell);
  if (kind === 'flag') return flagOf(cell);
  return cell;
}

export function readNvidiaSmiCsv(text: string): GpuReport | undefined {
  const rows = linesOf(text).filter((line) => line.trim() !== '');
  // Units follow some names in the header: `clocks_event_reasons_counters.sw_power_cap [us]`.
  const header = rows[0]?.split(',').map((name) =>
    name
      .trim()
      .replace(/\s*\[.*\]$/, '')
      .toLowerCase(),
  );
  if (!header?.includes('pci.bus_id') && !header?.includes('index')) return undefined;
  const gpus = rows.slice(1).map((row, index) => {
    const cells = row.split(',');
    const facts: Record<string, unknown> = { id: String(index) };
    header.forEach((name, column) => {
      const spec = COLUMNS[name];
      const v = spec && value(cells[column], spec.kind);
      if (spec && v !== undefined) facts[spec.fact] = v;
    });
    return GpuFacts.parse(facts);
  });
  return GpuReport.parse({ attachedGpus: gpus.length, gpus, complete: false });
}

const CHECK = 'nvidia-smi-query-csv';

export const parseNvidiaSmiCsv: Parser = (text, options) => {
  const failures = driverFailures(text);
  const report = readNvidiaSmiCsv(text);
  if (report === undefined) {
    return failures.length > 0 ? failures : [unreadable(CHECK, 'no CSV header naming pci.bus_id or index')];
  }
  return [...failures, ...evaluateGpus(report, options)];
};
