import { describe, expect, it } from 'vitest';
import { type CheckResult, decideVerdict, strongestAction } from '../../src/domain/verdict.js';

const check = (
  status: CheckResult['status'],
  action: CheckResult['action'] = 'none',
  name: string = status,
): CheckResult => ({
  check: name,
  status,
  detail: `${name} detail`,
  action,
});

describe('decideVerdict', () => {
  it('passes only when every check passes, keeping warnings visible', () => {
    const verdict = decideVerdict([check('pass'), check('warn')]);
    expect(verdict).toMatchObject({ status: 'PASS', reasons: [], warnings: ['warn: warn detail'] });
  });

  it('fails with every failing reason and the strongest action', () => {
    const verdict = decideVerdict([
      check('fail', 'reset_gpu', 'ecc'),
      check('pass'),
      check('fail', 'terminate', 'pcie'),
      check('error', 'none', 'dcgm'),
    ]);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual(['ecc: ecc detail', 'pcie: pcie detail']);
    expect(verdict.action).toBe('terminate');
  });

  it('is ERROR when a check could not tell, or when nothing ran', () => {
    expect(decideVerdict([check('pass'), check('error')]).status).toBe('ERROR');
    expect(decideVerdict([])).toMatchObject({
      status: 'ERROR',
      reasons: ['no health check produced a result'],
    });
  });

  it('names the GPU a finding is about', () => {
    const verdict = decideVerdict([{ ...check('fail', 'reboot', 'remap'), gpu: '00000000:19:00.0' }]);
    expect(verdict.reasons).toEqual(['remap (GPU 00000000:19:00.0): remap detail']);
  });
});

describe('strongestAction', () => {
  it('orders none < fix_config < reset_gpu < reboot < terminate', () => {
    expect(strongestAction([])).toBe('none');
    expect(strongestAction(['reboot', 'fix_config'])).toBe('reboot');
    expect(strongestAction(['reset_gpu', 'terminate', 'reboot'])).toBe('terminate');
    expect(strongestAction(['fix_config', 'none'])).toBe('fix_config');
  });
});
