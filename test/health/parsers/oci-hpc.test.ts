import { describe, expect, it } from 'vitest';
import { edit, fixture, verdictOf } from './helpers.js';

const PASSIVE = fixture('oci-hpc/check_gpu_setup_passive_all-passed_bm-gpu-b4-8.txt');
const line = (level: string, message: string) => `2026-01-16 15:37:02,158 - ${level} - ${message}`;

describe('oci-hpc healthcheck logs', () => {
  it('takes its failures and its Recommended Action from the Healthcheck:: lines', () => {
    const failing = edit(
      PASSIVE,
      /.* - INFO - Finished/,
      [
        line('ERROR', '2218XCR07A - GPU PCIe Width: GPU 00000000:0F:00.0 at x8'),
        line('ERROR', 'Recommended Action is to Tag the node Unhealthy and Terminate the node'),
        line('ERROR', 'Healthcheck:: GPU PCIe Width Error'),
        line('ERROR', 'Healthcheck:: Recommended Action:Terminate'),
        line('INFO', 'Finished'),
      ].join('\n'),
    );
    const verdict = verdictOf('oci-hpc', failing);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.action).toBe('terminate');
    expect(verdict.reasons).toEqual([
      'oci-hpc: 2218XCR07A - GPU PCIe Width: GPU 00000000:0F:00.0 at x8',
      'oci-hpc: drain reasons: GPU PCIe Width Error',
    ]);
  });

  it('falls back to its "Recommended Action is to …" advice', () => {
    const text = [
      line('ERROR', 'ECC issues: GPU 3 volatile DBE'),
      line('ERROR', 'Recommended Action is to Force Reboot from the console or API'),
      line('INFO', 'Finished GPU host setup check at: x'),
    ].join('\n');
    expect(verdictOf('oci-hpc', text).action).toBe('reboot');
  });

  it('is ERROR when the log stops before the checker finished', () => {
    const cut = PASSIVE.split('\n').slice(0, 10).join('\n');
    const verdict = verdictOf('oci-hpc', cut);
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      'oci-hpc: the log ends before the checker finished (it crashed or was cut off)',
    ]);
  });

  it('keeps the node out while OCA is still configuring it, with an error saying so', () => {
    const text = [
      line('ERROR', 'OCA is not ready: IN_PROGRESS'),
      line(
        'ERROR',
        'Recommended Action is to wait for OCA to finish configuring. If it has been more than 10 minutes, try rebooting the node',
      ),
      line('INFO', 'Finished'),
    ].join('\n');
    expect(verdictOf('oci-hpc', text).status).toBe('FAIL');
    expect(verdictOf('oci-hpc', text).checks.some((c) => c.status === 'error')).toBe(true);
  });

  it('is ERROR for text that is not its log', () => {
    expect(verdictOf('oci-hpc', "python3: can't open file check_gpu_setup.py").status).toBe('ERROR');
  });
});
