import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Verdict } from '../../src/domain/verdict.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures');

/** The real CLI, as an operator runs it. */
const pitstop = (...args: string[]) =>
  execa(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    reject: false,
  });

describe('pitstop health parse', () => {
  it('exits 0 on PASS, 1 on FAIL, 2 on ERROR', async () => {
    const pass = await pitstop(
      'health',
      'parse',
      '--format',
      'oci-hpc',
      join(FIXTURES, 'oci-hpc/check_gpu_setup_passive_all-passed_bm-gpu-b4-8.txt'),
    );
    const fail = await pitstop(
      'health',
      'parse',
      '--format',
      'dmesg',
      join(FIXTURES, 'dmesg/xid63_row-remapper_single-line.txt'),
    );
    const error = await pitstop(
      'health',
      'parse',
      '--format',
      'oci-hpc',
      join(FIXTURES, 'oci-hpc/active_healthcheck_sdc-test-crashed_bm-gpu-b4-8.txt'),
    );
    expect([pass.exitCode, fail.exitCode, error.exitCode]).toEqual([0, 1, 2]);
    expect(fail.stdout).toMatch(/^FAIL .*\n {2}✗ xid \(GPU PCI:0000:10:1c\): Xid 63/);
    expect(fail.stdout).toContain('Recommended action: reboot the node');
  }, 90_000);

  it('judges the GPU count given by --expect-gpus and prints the verdict as JSON', async () => {
    const result = await pitstop(
      'health',
      'parse',
      '--format',
      'nvidia-smi-q',
      '--expect-gpus',
      '8',
      '--json',
      join(FIXTURES, 'nvidia-smi/q_h100-80gb_1gpu_drv590_idle_masked.txt'),
    );
    expect(result.exitCode).toBe(1);
    const verdict = Verdict.parse(JSON.parse(result.stdout));
    expect(verdict.reasons).toEqual([
      'gpu-count: 1 of 8 GPUs visible; reboot, then replace if still missing',
    ]);
  }, 90_000);

  it('refuses an unknown format or a missing file without a verdict (exit 2)', async () => {
    const format = await pitstop('health', 'parse', '--format', 'lspci', 'x');
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toMatch(
      /--format: "lspci" is not one of nvidia-smi-q, nvidia-smi-nvlink, dmesg, dcgmi-diag-json, oci-hpc/,
    );
    const missing = await pitstop('health', 'parse', '--format', 'dmesg', '/nonexistent/dmesg.txt');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/dmesg\.txt/);
  }, 90_000);
});
