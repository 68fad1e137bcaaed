import { describe, expect, it } from 'vitest';
import { shapeProfile } from '../../../src/health/shapes.js';
import { edit, findingsOf, fixture, verdictOf } from './helpers.js';

const HEALTHY = fixture('nvidia-smi/q_h100-80gb_8gpu_drv535_healthy.txt');
const HEALTHY_590 = fixture('nvidia-smi/q_h100-80gb_1gpu_drv590_idle_masked.txt');
const FIRST_GPU = '00000000:53:00.0';
const h100 = { shape: shapeProfile('BM.GPU.H100.8') };

/** Edits the first GPU of the healthy 8x H100 capture and returns its verdict. */
const withFirstGpu = (from: string | RegExp, to: string) =>
  verdictOf('nvidia-smi-q', edit(HEALTHY, from, to), h100);

describe('nvidia-smi -q', () => {
  it('passes the healthy capture against its shape, every rule judged on all 8 GPUs', () => {
    const verdict = verdictOf('nvidia-smi-q', HEALTHY, h100);
    expect(verdict.status).toBe('PASS');
    expect(verdict.checks.find((c) => c.check === 'gpu-count')?.detail).toBe('8 GPUs as expected');
    expect(verdict.checks.find((c) => c.check === 'pcie-link')?.detail).toBe(
      '8 GPUs: PCIe links at full width',
    );
  });

  it.each([
    [
      'a PCIe link below its width',
      /Current\s+: 16x/,
      'Current                   : 8x',
      'pcie-link',
      'terminate',
    ],
    [
      'volatile uncorrectable DRAM errors',
      /DRAM Uncorrectable\s+: 0/,
      'DRAM Uncorrectable            : 2',
      'ecc-uncorrectable',
      'reboot',
    ],
    [
      'SRAM parity errors (Hopper layout)',
      /SRAM Uncorrectable Parity\s+: 0/,
      'SRAM Uncorrectable Parity     : 1',
      'ecc-uncorrectable',
      'reboot',
    ],
    [
      'the SRAM threshold exceeded',
      /SRAM Threshold Exceeded\s+: No/,
      'SRAM Threshold Exceeded       : Yes',
      'ecc-sram-aggregate',
      'terminate',
    ],
    [
      'a remapping failure',
      /Remapping Failure Occurred\s+: No/,
      'Remapping Failure Occurred        : Yes',
      'row-remap',
      'terminate',
    ],
    ['a pending row remap', /(Remapped Rows[\s\S]*?Pending\s+: )No/, '$1Yes', 'row-remap', 'reboot'],
    [
      'persistence mode off',
      /Persistence Mode\s+: Enabled/,
      'Persistence Mode                      : Disabled',
      'persistence-mode',
      'fix_config',
    ],
    ['ECC disabled', /(ECC Mode\n\s+Current\s+: )Enabled/, '$1Disabled', 'ecc-mode', 'fix_config'],
    [
      'a required GPU reset',
      /Reset Required\s+: No/,
      'Reset Required                    : Yes',
      'gpu-reset',
      'reset_gpu',
    ],
    [
      'fabric registration not finished',
      /(Fabric\n\s+State\s+: )Completed/,
      '$1In Progress',
      'fabric',
      'reboot',
    ],
    [
      'a failed fabric registration',
      /(Fabric\n\s+State\s+: Completed\n\s+Status\s+: )Success/,
      '$1Failure',
      'fabric',
      'reboot',
    ],
    [
      'hardware thermal slowdown',
      /HW Slowdown\s+: Not Active\n(\s+)HW Thermal Slowdown\s+: Not Active/,
      'HW Slowdown                       : Active\n$1HW Thermal Slowdown           : Active',
      'clock-slowdown',
      'terminate',
    ],
  ])('fails %s on the GPU that has it', (_name, from, to, check, action) => {
    const verdict = withFirstGpu(from, to);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.action).toBe(action);
    expect(findingsOf(verdict, 'fail')).toEqual([expect.objectContaining({ check, gpu: FIRST_GPU })]);
  });

  it('only warns about a link generation below max: idle GPUs save power that way', () => {
    const verdict = withFirstGpu(/(PCIe Generation\n\s+Max\s+: 5\n\s+Current\s+: )5/, '$13');
    expect(verdict.status).toBe('PASS');
    expect(verdict.warnings).toContain(`pcie-link (GPU ${FIRST_GPU}): PCIe link at generation 3 of 5`);
  });

  it.each([
    ['Node Reboot Required', 'FAIL', 'reboot'],
    ['GPU Reset Required', 'FAIL', 'reset_gpu'],
    ['Drain and Reset', 'FAIL', 'reset_gpu'],
    ['Something New', 'ERROR', 'none'],
  ])('reads GPU Recovery Action "%s"', (value, status, action) => {
    const text = edit(HEALTHY_590, /GPU Recovery Action\s+: None/, `GPU Recovery Action : ${value}`);
    const verdict = verdictOf('nvidia-smi-q', text, { expectGpus: 1 });
    expect(verdict.status).toBe(status);
    expect(verdict.action).toBe(action);
  });

  it('fails pending and impossible memory repairs (driver 590 layout)', () => {
    const pending = edit(HEALTHY_590, /Channel Repair Pending\s+: No/, 'Channel Repair Pending : Yes');
    expect(verdictOf('nvidia-smi-q', pending, { expectGpus: 1 }).action).toBe('reset_gpu');
    const unrepairable = edit(HEALTHY_590, /Unrepairable Memory\s+: No/, 'Unrepairable Memory : Yes');
    expect(verdictOf('nvidia-smi-q', unrepairable, { expectGpus: 1 }).action).toBe('terminate');
  });

  it('fails a node missing a GPU, and asks for a reboot first', () => {
    const blocks = HEALTHY.split(/\n(?=GPU 0000)/);
    const seven = edit(
      blocks.slice(0, -1).join('\n'),
      'Attached GPUs                             : 8',
      'Attached GPUs : 7',
    );
    const verdict = verdictOf('nvidia-smi-q', seven, h100);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual([
      'gpu-count: 7 of 8 GPUs visible; reboot, then replace if still missing',
    ]);
  });

  it('cannot vouch for a document that shows fewer GPUs than it says are attached', () => {
    const cut = HEALTHY.split(/\n(?=GPU 0000)/)
      .slice(0, -1)
      .join('\n');
    const verdict = verdictOf('nvidia-smi-q', cut, h100);
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual(['gpu-count: the output says 8 GPUs are attached but shows 7']);
  });

  it('is ERROR when a full document lacks a section a check needs', () => {
    const text = edit(HEALTHY, / {4}ECC Errors\n( {8}.*\n| {12}.*\n)*/, '');
    const verdict = verdictOf('nvidia-smi-q', text, h100);
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      `ecc-uncorrectable (GPU ${FIRST_GPU}): the output shows no volatile ECC Errors for this GPU`,
    ]);
  });

  it('judges a pre-Ampere GPU by its retired pages when it has no row remapper', () => {
    const volta = edit(
      edit(HEALTHY, / {4}Remapped Rows\n( {8}.*\n| {12}.*\n)*/, ''),
      /(Retired Pages\n\s+Single Bit ECC\s+: )N\/A\n(\s+Double Bit ECC\s+: )N\/A\n(\s+Pending Page Blacklist\s+: )N\/A/,
      '$12\n$20\n$3No',
    );
    const verdict = verdictOf('nvidia-smi-q', volta, h100);
    expect(verdict.status).toBe('PASS');
    expect(verdict.checks).toContainEqual(
      expect.objectContaining({ check: 'retired-pages', status: 'pass' }),
    );
  });

  it('reads the pre-Ampere ECC layout (Single Bit / Double Bit totals)', () => {
    const volta = [
      'Attached GPUs : 1',
      'GPU 00000000:1A:00.0',
      '    ECC Errors',
      '        Volatile',
      '            Single Bit',
      '                Device Memory             : 4',
      '                Total                     : 4',
      '            Double Bit',
      '                Device Memory             : 1',
      '                Total                     : 1',
    ].join('\n');
    const verdict = verdictOf('nvidia-smi-q', volta, { expectGpus: 1 });
    expect(verdict.reasons).toEqual([
      'ecc-uncorrectable (GPU 00000000:1A:00.0): 1 uncorrectable ECC errors since the driver loaded',
    ]);
  });

  it.each([
    [
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
      'FAIL',
    ],
    ['No devices were found', 'FAIL'],
    ['Unable to determine the device handle for GPU0000:19:00.0: Unknown Error', 'FAIL'],
    ['', 'ERROR'],
    ['bash: nvidia-smi: command not found', 'ERROR'],
  ])('judges "%s" as %s, never PASS', (text, status) => {
    expect(verdictOf('nvidia-smi-q', text, h100).status).toBe(status);
  });
});

describe('nvidia-smi CSV, table and -L', () => {
  const CSV = fixture('nvidia-smi/query-gpu-csv_h100-80gb_1gpu_drv590_all-fields_idle.txt');

  it('fails a pending remap read from the query CSV', () => {
    const [header, row] = CSV.split('\n');
    const column = header!.split(', ').indexOf('remapped_rows.pending');
    const cells = row!.split(', ');
    cells[column] = 'Yes';
    const verdict = verdictOf('nvidia-smi-query-csv', `${header}\n${cells.join(', ')}\n`, { expectGpus: 1 });
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^row-remap \(GPU 00000000:00:09\.0\): row remap pending/),
    ]);
  });

  it('fails uncorrectable ECC shown in the default table', () => {
    const text = edit(
      fixture('nvidia-smi/default-table_h100-80gb_1gpu_idle.txt'),
      /Off \|\s+0 \|/,
      'Off |                    3 |',
    );
    expect(verdictOf('nvidia-smi-table', text, { expectGpus: 1 }).action).toBe('reboot');
  });

  it('counts GPUs from -L against the shape', () => {
    const list = fixture('nvidia-smi/list-gpus-L_h100-80gb_1gpu.txt');
    expect(verdictOf('nvidia-smi-list', list, { expectGpus: 8 }).reasons).toEqual([
      'gpu-count: 1 of 8 GPUs visible; reboot, then replace if still missing',
    ]);
  });
});
