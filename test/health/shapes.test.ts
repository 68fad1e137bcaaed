import { describe, expect, it } from 'vitest';
import { ShapeOverrides } from '../../src/domain/health-checks.js';
import { shapeProfile } from '../../src/health/shapes.js';

describe('shape profiles', () => {
  it('knows the GPU and NVLink figures of the OCI GPU shapes', () => {
    expect(shapeProfile('BM.GPU.H100.8')).toMatchObject({ gpus: 8, nvlinksPerGpu: 18, nvlinkGBps: 26.562 });
    expect(shapeProfile('BM.GPU.A100-v2.8')).toMatchObject({ gpus: 8, nvlinksPerGpu: 12, nvlinkGBps: 25 });
    expect(shapeProfile('BM.GPU.L40S.4')?.skip).toEqual({ 'nvidia-smi-nvlink': 'this shape has no NVLink' });
  });

  it('never guesses an unknown shape', () => {
    expect(shapeProfile('BM.Standard3.64')).toBeUndefined();
    expect(shapeProfile(undefined)).toBeUndefined();
  });

  it('takes per-site overrides of thresholds and checks, keeping the rest', () => {
    const profile = shapeProfile('BM.GPU.H100.8', {
      'BM.GPU.H100.8': {
        thresholds: { retiredPagesMax: 10 },
        skip: { 'dcgmi-diag': 'no DCGM on this image' },
      },
    });
    expect(profile?.thresholds).toEqual({
      retiredPagesMax: 10,
      aggregateSramUncorrectableMax: 4,
      volatileCorrectableWarn: 1000,
    });
    expect(profile?.skip).toEqual({ 'dcgmi-diag': 'no DCGM on this image' });
    expect(profile?.nvlinksPerGpu).toBe(18);
    expect(shapeProfile('BM.GPU.NEW.2', { 'BM.GPU.NEW.2': { gpus: 2 } })?.gpus).toBe(2);
  });
});

describe('shape overrides from configuration', () => {
  it('validates what a site writes, naming the bad field', () => {
    expect(
      ShapeOverrides.safeParse({ 'BM.GPU.H100.8': { thresholds: { retiredPagesMax: 10 } } }).success,
    ).toBe(true);
    const bad = ShapeOverrides.safeParse({ 'BM.GPU.H100.8': { skip: { 'nvidia-smi-x': 'typo' } } });
    expect(bad.success).toBe(false);
  });
});
