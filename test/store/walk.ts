/** Jobs for the store's process and disk tests: numbered events, and the next step of a job in each phase. */
import type { JobAction } from '../../src/domain/job.js';
import { decideVerdict } from '../../src/domain/verdict.js';
import { sampleEvent } from '../support/events.js';

export const eventNo = (n: number) => sampleEvent({ id: `ocid1.instancemaintenanceevent.oc1.iad.e${n}` });

/** The step that takes a job out of each working phase on its way to `done` (a node returned). */
export const NEXT: Record<string, JobAction> = {
  awaiting_approval: { type: 'approve', by: 'U1', via: 'policy' },
  draining: { type: 'drained', drainedBy: 'pitstop' },
  scheduling: {
    type: 'scheduled',
    windowStart: '2026-12-01T10:05:00Z',
    workRequestId: 'ocid1.workrequest.x',
  },
  maintenance: { type: 'maintenance_ended', state: 'SUCCEEDED' },
  health: {
    type: 'health_checked',
    verdict: decideVerdict([{ check: 'gpu-count', status: 'pass', detail: '8 of 8 GPUs', action: 'none' }]),
  },
  triage: { type: 'triaged', result: 'resumed', reason: 'health PASS' },
  bookkeeping: { type: 'recorded' },
};
