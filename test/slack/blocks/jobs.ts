import { type JobAction, type MaintenanceJob, newJob, transition } from '../../../src/domain/job.js';
import { decideVerdict } from '../../../src/domain/verdict.js';
import { sampleEvent } from '../../support/events.js';

export const at = new Date('2026-12-01T14:02:00Z');

export const passVerdict = decideVerdict([
  { check: 'gpu-count', status: 'pass', detail: '8 of 8 GPUs', action: 'none' },
  { check: 'nvlink', status: 'warn', detail: '1 replay error', action: 'none', gpu: '3' },
]);

export const failVerdict = decideVerdict([
  { check: 'gpu-count', status: 'pass', detail: '8 of 8 GPUs', action: 'none' },
  { check: 'ecc', status: 'fail', detail: 'DBE count 2', action: 'terminate', gpu: '0000:1B:00.0' },
  { check: 'dcgmi-diag', status: 'error', detail: 'dcgmi not found', action: 'none' },
]);

export const awaiting = (overrides: Record<string, unknown> = {}) =>
  newJob(sampleEvent(overrides), at, 'gpu-1');

/** A job whose instance matched no Slurm node. */
export const unmapped = () => newJob(sampleEvent(), at);

/** The job after each action in turn, all at `at`. */
export function applied(job: MaintenanceJob, ...actions: JobAction[]): MaintenanceJob {
  return actions.reduce((current, action) => transition(current, action, at), job);
}

export const APPROVE: JobAction = { type: 'approve', by: 'U0APPROVER', via: 'slack' };
export const DRAINED: JobAction = { type: 'drained', drainedBy: 'pitstop' };
export const SCHEDULED: JobAction = {
  type: 'scheduled',
  windowStart: '2026-12-01T14:10:00Z',
  workRequestId: 'ocid1.workrequest.oc1.iad.wr1',
};
export const ENDED: JobAction = { type: 'maintenance_ended', state: 'SUCCEEDED' };
