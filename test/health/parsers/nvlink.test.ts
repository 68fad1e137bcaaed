import { describe, expect, it } from 'vitest';
import { shapeProfile } from '../../../src/health/shapes.js';
import { edit, fixture, verdictOf } from './helpers.js';

const A100 = fixture('nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt');
const a100 = { shape: shapeProfile('BM.GPU.A100-v2.8') };
const DCGM_LINKS = fixture('dcgmi/nvlink-s_text_8gpu_all-up_gcm-docstring.txt');

describe('NVLink status', () => {
  it('passes the 8x A100 capture against its shape', () => {
    expect(verdictOf('nvidia-smi-nvlink', A100, a100).status).toBe('PASS');
  });

  it('fails an inactive link, naming the GPU and link', () => {
    const verdict = verdictOf('nvidia-smi-nvlink', edit(A100, 'Link 3: 25 GB/s', 'Link 3: <inactive>'), a100);
    expect(verdict.reasons).toEqual(['nvlink-status (GPU 0): NVLink 3 down']);
    expect(verdict.action).toBe('reboot');
  });

  it('fails a link slower than the shape', () => {
    const verdict = verdictOf('nvidia-smi-nvlink', edit(A100, 'Link 5: 25 GB/s', 'Link 5: 12.5 GB/s'), a100);
    expect(verdict.reasons).toEqual(['nvlink-status (GPU 0): link 5 at 12.5 GB/s, below 25 GB/s']);
  });

  it('fails a GPU with fewer links than its shape has', () => {
    const h100 = { shape: shapeProfile('BM.GPU.H100.8'), expectGpus: 1 };
    const verdict = verdictOf('nvidia-smi-nvlink', fixture('nvidia-smi/nvlink-s_a100_good_azure.txt'), h100);
    expect(verdict.reasons).toEqual(['nvlink-status (GPU 7): 12 of 18 NVLinks up']);
    expect(verdict.action).toBe('terminate');
  });

  it('fails when GPUs are missing from the listing', () => {
    const verdict = verdictOf('nvidia-smi-nvlink', fixture('nvidia-smi/nvlink-s_a100_good_azure.txt'), a100);
    expect(verdict.reasons).toContain('nvlink-status: only 1 of 8 GPUs report NVLinks');
  });

  it('reads DCGM link states: D fails, X warns', () => {
    const down = edit(DCGM_LINKS, 'U U U U U U U U U U U U', 'U D U U U U U U U U U U');
    expect(verdictOf('dcgmi-nvlink', down, a100).reasons).toEqual(['nvlink-status (GPU 0): NVLink 1 down']);
    const disabled = edit(DCGM_LINKS, 'U U U U U U U U U U U U', 'U U U U U U U U U U U X');
    const verdict = verdictOf('dcgmi-nvlink', disabled, { expectGpus: 8 });
    expect(verdict.status).toBe('PASS');
    expect(verdict.warnings).toEqual(['nvlink-status (GPU 0): NVLink 11 disabled']);
  });

  it('is ERROR for output it cannot read', () => {
    expect(verdictOf('nvidia-smi-nvlink', 'NVML: Unknown Error').status).toBe('ERROR');
    expect(verdictOf('dcgmi-nvlink', 'Error: Unable to connect to host engine').status).toBe('ERROR');
  });
});

describe('NVLink error counters', () => {
  const COUNTERS = fixture('nvidia-smi/nvlink-e_h100_excerpt_zero-errors.txt');

  it('fails recovery errors and shows CRC and replay errors', () => {
    const recovery = edit(COUNTERS, 'Link 1: Recovery Errors: 0', 'Link 1: Recovery Errors: 2');
    expect(verdictOf('nvidia-smi-nvlink', recovery).reasons).toEqual([
      'nvlink-errors (GPU 0): NVLink 1: 2 Recovery Errors',
    ]);
    const crc = edit(COUNTERS, 'Link 0: CRC Errors: 0', 'Link 0: CRC Errors: 7');
    expect(verdictOf('nvidia-smi-nvlink', crc).warnings).toEqual([
      'nvlink-errors (GPU 0): NVLink 0: 7 CRC Errors',
    ]);
    const dcgm = edit(
      fixture('dcgmi/nvlink-e-g0_text_head9_gcm-docstring.txt'),
      /Recovery Error\s+\| 0 /,
      'Recovery Error           | 4 ',
    );
    expect(verdictOf('dcgmi-nvlink', dcgm).status).toBe('FAIL');
  });
});

describe('nvidia-smi topo -m', () => {
  const NV18 = fixture('nvidia-smi/topo-m_h100_8gpu_nv18_spaces.txt');
  const h100 = { shape: shapeProfile('BM.GPU.H100.8') };

  it('fails a GPU pair not joined by the full NVLink bond', () => {
    const verdict = verdictOf(
      'nvidia-smi-topo',
      edit(NV18, /^(GPU2\s+NV18\s+NV18\s+X\s+)NV18/m, '$1SYS '),
      h100,
    );
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual(['nvlink-topology (GPU GPU2): GPU2↔GPU3 joined by SYS, not NV18']);
  });

  it('fails a mesh with fewer links than the shape', () => {
    const verdict = verdictOf(
      'nvidia-smi-topo',
      fixture('nvidia-smi/topo-m_a100_8gpu_nv12_spaces.txt'),
      h100,
    );
    expect(verdict.status).toBe('FAIL');
  });
});
