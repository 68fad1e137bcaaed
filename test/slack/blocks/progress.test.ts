import { describe, expect, it } from 'vitest';
import type { MaintenanceJob, Phase } from '../../../src/domain/job.js';
import { progressLine } from '../../../src/slack/blocks/progress.js';

const job = (phase: Phase, outcome?: MaintenanceJob['outcome'], from?: Phase) => ({
  phase,
  outcome,
  history: from ? [{ at: '2026-12-01T00:00:00Z', from, to: phase, action: 'fail' as const }] : [],
});

describe('progressLine', () => {
  it.each([
    ['draining', '■□□□□□□ 1/7 draining'],
    ['scheduling', '■■□□□□□ 2/7 scheduling'],
    ['maintenance', '■■■□□□□ 3/7 maintenance'],
    ['health', '■■■■□□□ 4/7 health checks'],
    ['triage', '■■■■■□□ 5/7 triage'],
    ['bookkeeping', '■■■■■■□ 6/7 bookkeeping'],
  ] as const)('maps %s to %s', (phase, line) => {
    expect(progressLine(job(phase))).toBe(line);
  });

  it('fills every step when the job is done with the node back or kept out', () => {
    expect(progressLine(job('done', 'returned'))).toBe('■■■■■■■ 7/7 done');
    expect(progressLine(job('done', 'kept_out'))).toBe('■■■■■■■ 7/7 done');
  });

  it('has no bar for a job that never started', () => {
    expect(progressLine(job('awaiting_approval'))).toBeUndefined();
    expect(progressLine(job('done', 'denied', 'awaiting_approval'))).toBeUndefined();
    expect(progressLine(job('done', 'canceled', 'awaiting_approval'))).toBeUndefined();
    expect(progressLine(job('done', 'failed', 'awaiting_approval'))).toBeUndefined();
  });

  it('shows where a failed job stopped', () => {
    expect(progressLine(job('done', 'failed', 'maintenance'))).toBe('■■■□□□□ 3/7 stopped in maintenance');
  });
});
