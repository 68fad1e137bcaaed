import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideVerdict, type RecommendedAction, type VerdictStatus } from '../../../src/domain/verdict.js';
import { type OutputFormat, parseOutput } from '../../../src/health/parsers/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

interface Case {
  format: OutputFormat;
  expectGpus?: number;
  /** The verdict test/fixtures/SOURCES.md gives the file. */
  verdict: VerdictStatus;
  action?: RecommendedAction;
  /** Checks that must carry a finding of this status: the reason for the verdict, not luck. */
  findings?: [check: string, status: 'warn' | 'fail' | 'error', gpu?: string][];
}

/** Every GPU fixture with the verdict SOURCES.md gives it. */
const CASES: Record<string, Case> = {
  'nvidia-smi/default-table_h100-80gb_1gpu_idle.txt': {
    format: 'nvidia-smi-table',
    expectGpus: 1,
    verdict: 'PASS',
  },
  'nvidia-smi/list-gpus-L_h100-80gb_1gpu.txt': { format: 'nvidia-smi-list', expectGpus: 1, verdict: 'PASS' },
  'nvidia-smi/nvlink-e_h100_excerpt_zero-errors.txt': { format: 'nvidia-smi-nvlink', verdict: 'PASS' },
  'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt': {
    format: 'nvidia-smi-nvlink',
    expectGpus: 8,
    verdict: 'PASS',
  },
  'nvidia-smi/nvlink-s_a100_all-links-inactive_azure.txt': {
    format: 'nvidia-smi-nvlink',
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['nvlink-status', 'fail', '6']],
  },
  'nvidia-smi/nvlink-s_a100_good_azure.txt': { format: 'nvidia-smi-nvlink', verdict: 'PASS' },
  'nvidia-smi/nvlink-s_h100-80gb_18links_good.txt': { format: 'nvidia-smi-nvlink', verdict: 'PASS' },
  'nvidia-smi/q-d-ecc-excerpt_sram-uncorrectable.txt': {
    format: 'nvidia-smi-q',
    verdict: 'FAIL',
    action: 'terminate',
    findings: [
      ['ecc-uncorrectable', 'fail'],
      ['ecc-sram-aggregate', 'fail'],
    ],
  },
  'nvidia-smi/q-d-page-retirement_8gpu_clean_azure.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 8,
    verdict: 'PASS',
  },
  'nvidia-smi/q-d-page-retirement_8gpu_retired-pages_azure.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 8,
    verdict: 'FAIL',
    action: 'terminate',
    findings: ['1', '2', '4', '6', '8'].map((n) => ['retired-pages', 'fail', `0000000${n}:00:00.0`] as const),
  },
  'nvidia-smi/q-excerpt_a100-80gb_8gpu_remapped-rows-pending_dram-ce177.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 8,
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['row-remap', 'fail', '00000000:10:1C.0']],
  },
  'nvidia-smi/q_a10_1gpu_drv535_remapped-rows-pending.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 1,
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['row-remap', 'fail', '00000000:07:00.0']],
  },
  'nvidia-smi/q_h100-80gb_1gpu_drv590_idle_masked.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 1,
    verdict: 'PASS',
  },
  'nvidia-smi/q_h100-80gb_8gpu_drv535_healthy.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 8,
    verdict: 'PASS',
    findings: [['clock-slowdown', 'warn', '00000000:75:00.0']],
  },
  'nvidia-smi/q_h100-80gb_8gpu_drv535_hw-power-brake-slowdown.txt': {
    format: 'nvidia-smi-q',
    expectGpus: 8,
    verdict: 'FAIL',
    action: 'terminate',
    findings: [['clock-slowdown', 'fail', '00000000:19:00.0']],
  },
  'nvidia-smi/q_h200_1gpu_drv590_load_masked.txt': { format: 'nvidia-smi-q', expectGpus: 1, verdict: 'PASS' },
  'nvidia-smi/query-gpu-csv_h100-80gb_1gpu_drv590_all-fields_idle.txt': {
    format: 'nvidia-smi-query-csv',
    expectGpus: 1,
    verdict: 'PASS',
  },
  'nvidia-smi/topo-m_a100_8gpu_nv12_spaces.txt': {
    format: 'nvidia-smi-topo',
    expectGpus: 8,
    verdict: 'PASS',
  },
  'nvidia-smi/topo-m_h100-80gb_1gpu.txt': { format: 'nvidia-smi-topo', expectGpus: 1, verdict: 'PASS' },
  'nvidia-smi/topo-m_h100_8gpu_nv18_spaces.txt': {
    format: 'nvidia-smi-topo',
    expectGpus: 8,
    verdict: 'PASS',
  },
  'dcgmi/diag-j_dcgm3.1.0_8gpu_all-pass_warning-prefix-and-nulls.txt': {
    format: 'dcgmi-diag-json',
    verdict: 'PASS',
  },
  'dcgmi/diag-r1-j_dcgm4.2.3_gb10_software-fail_persistence-mode.txt': {
    format: 'dcgmi-diag-json',
    verdict: 'FAIL',
    action: 'fix_config',
    findings: [['dcgmi-diag', 'fail', '0']],
  },
  'dcgmi/diag-r2_text_excerpt_gpu0-memory-fail_thermal-warning.txt': {
    format: 'dcgmi-diag-text',
    verdict: 'FAIL',
    action: 'terminate',
    findings: [
      ['dcgmi-diag', 'fail', '0'],
      ['dcgmi-diag', 'warn', '0'],
    ],
  },
  'dcgmi/diag-r4_text_all-pass_gcm-docstring.txt': { format: 'dcgmi-diag-text', verdict: 'PASS' },
  'dcgmi/diag_text_excerpt_deployment-error_row-remap-pending.txt': {
    format: 'dcgmi-diag-text',
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['dcgmi-diag', 'fail', '3']],
  },
  'dcgmi/nvlink-e-g0_text_head9_gcm-docstring.txt': { format: 'dcgmi-nvlink', verdict: 'PASS' },
  'dcgmi/nvlink-s_text_8gpu_all-up_gcm-docstring.txt': {
    format: 'dcgmi-nvlink',
    expectGpus: 8,
    verdict: 'PASS',
  },
  'dmesg/clean_h100-hgx-boot_driver550_decode-iso.txt': { format: 'dmesg', verdict: 'PASS' },
  'dmesg/xid119_gsp-rpc-timeout_h100-xe9680.txt': {
    format: 'dmesg',
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['xid', 'fail', 'PCI:0000:9b:00']],
  },
  'dmesg/xid13-43_app-errors_decode-iso.txt': {
    format: 'dmesg',
    verdict: 'PASS',
    findings: [['xid', 'warn', 'PCI:0000:38:00']],
  },
  'dmesg/xid31_dmesg-T-format_single-line.txt': {
    format: 'dmesg',
    verdict: 'PASS',
    findings: [['xid', 'warn', 'PCI:000d:00:00']],
  },
  'dmesg/xid48-63-94_dbe-row-remap_h100_iso.txt': {
    format: 'dmesg',
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['xid', 'fail', 'PCI:0000:19:00']],
  },
  'dmesg/xid63_row-remapper_single-line.txt': {
    format: 'dmesg',
    verdict: 'FAIL',
    action: 'reboot',
    findings: [['xid', 'fail', 'PCI:0000:10:1c']],
  },
  'oci-hpc/active_healthcheck_sdc-test-crashed_bm-gpu-b4-8.txt': {
    format: 'oci-hpc',
    verdict: 'ERROR',
    findings: [['oci-hpc', 'error']],
  },
  'oci-hpc/check_gpu_setup_passive_all-passed_bm-gpu-b4-8.txt': { format: 'oci-hpc', verdict: 'PASS' },
};

describe('every GPU fixture gets the verdict SOURCES.md gives it', () => {
  it('covers every file in the GPU fixture folders', () => {
    const files = ['nvidia-smi', 'dcgmi', 'dmesg', 'oci-hpc'].flatMap((dir) =>
      readdirSync(join(FIXTURES, dir)).map((file) => `${dir}/${file}`),
    );
    expect(Object.keys(CASES).sort()).toEqual(files.sort());
  });

  for (const [file, c] of Object.entries(CASES)) {
    it(`${file} → ${c.verdict}`, () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const verdict = decideVerdict(parseOutput(c.format, text, { expectGpus: c.expectGpus }));
      expect(verdict.status).toBe(c.verdict);
      expect(verdict.action).toBe(c.action ?? 'none');
      for (const [check, status, gpu] of c.findings ?? []) {
        expect(verdict.checks).toContainEqual(
          expect.objectContaining({ check, status, ...(gpu === undefined ? {} : { gpu }) }),
        );
      }
    });
  }
});
