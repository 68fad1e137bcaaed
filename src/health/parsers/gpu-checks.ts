import { Thresholds } from '../../domain/health-checks.js';
import type { CheckResult, CheckStatus, RecommendedAction } from '../../domain/verdict.js';
import { finding, orPass, type ParseOptions, plural } from './common.js';
import type { GpuFacts, GpuReport } from './gpu-facts.js';

type Finding = { status: CheckStatus; detail: string; action: RecommendedAction };

interface GpuRule {
  check: string;
  /** What a pass means, shown to the operator. */
  verified: string;
  /** The facts the rule judges: a GPU that shows none of them is not judged by it. */
  reads: (keyof GpuFacts)[];
  /** In a full `-q` document the GPU must show one of these facts (from the named section), or the check cannot tell. */
  needs?: { facts: (keyof GpuFacts)[]; section: string };
  judge: (gpu: GpuFacts, limits: Thresholds) => Finding | undefined;
}

const fail = (detail: string, action: RecommendedAction): Finding => ({ status: 'fail', detail, action });
const warn = (detail: string): Finding => ({ status: 'warn', detail, action: 'none' });

/**
 * One rule per check, judged on every GPU. Actions follow the suites we learn from: oci-hpc's
 * check_gpu_setup.py (ECC and row-remap errors → reboot, PCIe width → terminate), NVIDIA's
 * memory-error guidance (a pending remap or retirement is applied by a GPU reset/reboot; a
 * remapping failure or a full retirement table means the GPU must be replaced).
 */
const RULES: GpuRule[] = [
  {
    check: 'ecc-mode',
    reads: ['eccEnabled'],
    verified: 'ECC is enabled',
    judge: (g) =>
      g.eccEnabled === false
        ? fail('ECC is disabled; enable it (nvidia-smi -e 1) and reboot', 'fix_config')
        : undefined,
  },
  {
    check: 'ecc-uncorrectable',
    reads: ['volatileUncorrectable'],
    verified: 'no volatile uncorrectable ECC errors',
    needs: { facts: ['volatileUncorrectable'], section: 'volatile ECC Errors' },
    judge: (g) =>
      g.volatileUncorrectable
        ? fail(`${g.volatileUncorrectable} uncorrectable ECC errors since the driver loaded`, 'reboot')
        : undefined,
  },
  {
    check: 'ecc-sram-aggregate',
    reads: ['sramThresholdExceeded', 'aggregateSramUncorrectable'],
    verified: 'lifetime SRAM uncorrectable errors within limits',
    judge: (g, limits) => {
      if (g.sramThresholdExceeded)
        return fail('the SRAM uncorrectable error threshold is exceeded', 'terminate');
      const n = g.aggregateSramUncorrectable ?? 0;
      return n > limits.aggregateSramUncorrectableMax
        ? fail(
            `${n} lifetime SRAM uncorrectable errors (limit ${limits.aggregateSramUncorrectableMax})`,
            'terminate',
          )
        : undefined;
    },
  },
  {
    check: 'ecc-correctable',
    reads: ['volatileCorrectable'],
    verified: 'correctable ECC errors below the warning level',
    judge: (g, limits) =>
      (g.volatileCorrectable ?? 0) >= limits.volatileCorrectableWarn
        ? warn(`${g.volatileCorrectable} correctable ECC errors since the driver loaded`)
        : undefined,
  },
  {
    check: 'retired-pages',
    reads: ['retiredSingleBit', 'retiredDoubleBit', 'retiredPending'],
    verified: 'no pending page retirement and the retirement table has room',
    judge: (g, limits) => {
      const total = (g.retiredSingleBit ?? 0) + (g.retiredDoubleBit ?? 0);
      const counts = `${g.retiredSingleBit ?? 0} single-bit + ${g.retiredDoubleBit ?? 0} double-bit retired pages`;
      if (total >= limits.retiredPagesMax) {
        return fail(`${counts} (limit ${limits.retiredPagesMax}): the GPU must be replaced`, 'terminate');
      }
      return g.retiredPending
        ? fail(`${counts}, retirement pending until the GPU is reset`, 'reboot')
        : undefined;
    },
  },
  {
    check: 'row-remap',
    reads: ['remapPending', 'remapFailure'],
    verified: 'no pending row remap and no remapping failure',
    // Pre-Ampere GPUs retire pages instead of remapping rows.
    needs: { facts: ['remapPending', 'retiredPending'], section: 'Remapped Rows or Retired Pages' },
    judge: (g) => {
      if (g.remapFailure) return fail('row remapping failed: the GPU must be replaced', 'terminate');
      return g.remapPending
        ? fail(
            `row remap pending (${g.remapUncorrectable ?? 0} from uncorrectable errors); reset the GPU or reboot`,
            'reboot',
          )
        : undefined;
    },
  },
  {
    check: 'memory-repair',
    reads: ['unrepairableMemory', 'channelRepairPending', 'tpcRepairPending'],
    verified: 'no pending or impossible memory repair',
    judge: (g) => {
      if (g.unrepairableMemory) return fail('the GPU reports unrepairable memory', 'terminate');
      if (g.channelRepairPending || g.tpcRepairPending) {
        return fail(
          `${g.channelRepairPending ? 'channel' : 'TPC'} repair pending; reset the GPU`,
          'reset_gpu',
        );
      }
      return undefined;
    },
  },
  {
    check: 'gpu-reset',
    reads: ['resetRequired', 'drainAndResetRecommended', 'recoveryAction'],
    verified: 'no reset or recovery action requested by the driver',
    judge: (g) => {
      if (g.resetRequired) return fail('the driver requires a GPU reset', 'reset_gpu');
      if (g.drainAndResetRecommended) return fail('the driver recommends drain and reset', 'reset_gpu');
      const action = g.recoveryAction;
      if (action === undefined || /^none$/i.test(action)) return undefined;
      if (/reboot/i.test(action)) return fail(`GPU recovery action: ${action}`, 'reboot');
      if (/reset|drain/i.test(action)) return fail(`GPU recovery action: ${action}`, 'reset_gpu');
      return { status: 'error', detail: `unknown GPU recovery action "${action}"`, action: 'none' };
    },
  },
  {
    check: 'pcie-link',
    reads: ['pcieWidthCurrent', 'pcieWidthMax', 'pcieGenCurrent', 'pcieGenMax'],
    verified: 'PCIe links at full width',
    needs: { facts: ['pcieWidthCurrent'], section: 'PCIe Link Width' },
    judge: (g) => {
      const { pcieWidthCurrent: width, pcieWidthMax: maxWidth, pcieGenCurrent: gen, pcieGenMax: maxGen } = g;
      if (width !== undefined && maxWidth !== undefined && width < maxWidth) {
        return fail(`PCIe link x${width}, below its x${maxWidth}`, 'terminate');
      }
      // Idle GPUs lower their link generation to save power: worth showing, not a fault.
      if (gen !== undefined && maxGen !== undefined && gen < maxGen) {
        return warn(`PCIe link at generation ${gen} of ${maxGen}`);
      }
      return undefined;
    },
  },
  {
    check: 'clock-slowdown',
    reads: ['hwSlowdown', 'hwThermalSlowdown', 'hwPowerBrakeSlowdown', 'swThermalSlowdown'],
    verified: 'no hardware clock slowdown',
    judge: (g) => {
      const causes = [
        g.hwThermalSlowdown && 'thermal',
        g.hwPowerBrakeSlowdown && 'power brake',
        g.swThermalSlowdown && 'software thermal',
      ].filter(Boolean);
      if (g.hwSlowdown) {
        const why = causes.length > 0 ? ` (${causes.join(', ')})` : '';
        return fail(`hardware slowdown active${why}: power or cooling fault on the host`, 'terminate');
      }
      return causes.length > 0 ? warn(`clock slowdown reason active: ${causes.join(', ')}`) : undefined;
    },
  },
  {
    check: 'fabric',
    reads: ['fabricState'],
    verified: 'NVLink fabric registration complete',
    judge: (g) => {
      if (g.fabricState === undefined) return undefined;
      if (!/^completed$/i.test(g.fabricState)) {
        return fail(`fabric state "${g.fabricState}": is nvidia-fabricmanager running?`, 'reboot');
      }
      if (g.fabricStatus !== undefined && !/^success$/i.test(g.fabricStatus)) {
        return fail(`fabric registration finished with "${g.fabricStatus}"`, 'reboot');
      }
      if (g.fabricHealth !== undefined && !/^healthy$/i.test(g.fabricHealth)) {
        return fail(`fabric health "${g.fabricHealth}"`, 'reboot');
      }
      return undefined;
    },
  },
  {
    check: 'persistence-mode',
    reads: ['persistenceMode'],
    verified: 'persistence mode enabled',
    judge: (g) =>
      g.persistenceMode === false
        ? fail('persistence mode is off; enable nvidia-persistenced (not a hardware fault)', 'fix_config')
        : undefined,
  },
];

function gpuCount(report: GpuReport, options: ParseOptions): CheckResult {
  const check = 'gpu-count';
  const seen = report.attachedGpus;
  if (seen === undefined)
    return finding(check, 'error', 'the output does not say how many GPUs are attached');
  if (report.complete && report.gpus.length !== seen) {
    return finding(
      check,
      'error',
      `the output says ${seen} GPUs are attached but shows ${report.gpus.length}`,
    );
  }
  const expected = options.expectGpus ?? options.shape?.gpus;
  if (expected === undefined) {
    return finding(check, 'warn', `${plural(seen, 'GPU')} attached; expected count unknown (give the shape)`);
  }
  if (seen < expected) {
    return finding(
      check,
      'fail',
      `${seen} of ${expected} GPUs visible; reboot, then replace if still missing`,
      'reboot',
    );
  }
  if (seen > expected) {
    return finding(check, 'error', `${seen} GPUs visible but ${expected} expected: is the shape right?`);
  }
  return finding(check, 'pass', `${plural(seen, 'GPU')} as expected`);
}

/** Judges every GPU by every rule; one pass per rule when no GPU has a finding. */
export function evaluateGpus(report: GpuReport, options: ParseOptions): CheckResult[] {
  const limits = options.shape?.thresholds ?? Thresholds.parse({});
  const results = [gpuCount(report, options)];
  if (report.gpus.length === 0) return results;
  for (const rule of RULES) {
    const findings: CheckResult[] = [];
    let judgedGpus = 0;
    for (const gpu of report.gpus) {
      const needs = report.complete ? rule.needs : undefined;
      if (needs?.facts.every((key) => gpu[key] === undefined)) {
        findings.push(
          finding(rule.check, 'error', `the output shows no ${needs.section} for this GPU`, 'none', gpu.id),
        );
        continue;
      }
      if (!rule.reads.some((key) => gpu[key] !== undefined)) continue;
      judgedGpus++;
      const judged = rule.judge(gpu, limits);
      if (judged) findings.push(finding(rule.check, judged.status, judged.detail, judged.action, gpu.id));
    }
    // A rule whose facts the output never showed (a `-d` filtered query) proves nothing: no pass.
    if (findings.length === 0 && judgedGpus === 0) continue;
    results.push(...orPass(rule.check, findings, `${plural(judgedGpus, 'GPU')}: ${rule.verified}`));
  }
  return results;
}
