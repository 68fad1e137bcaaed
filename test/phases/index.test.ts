import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

/** Runs an approved job through every phase handler to the end; returns the phases it went through. */
async function runToEnd(which: keyof typeof EVENTS): Promise<{ job: MaintenanceJob; phases: string[] }> {
  const { id, node } = EVENTS[which];
  let job = await pipeline.approvedJob(id, node);
  const phases: string[] = [job.phase];
  while (job.phase !== 'done') {
    ({ job } = await pipeline.step(job));
    phases.push(job.phase);
  }
  return { job, phases };
}

describe('the pipeline, phase by phase, on the real adapters and simulators', () => {
  it('takes a healthy node through its maintenance and back into service', async () => {
    pipeline.slurm.submit('gpu-1', { durationMs: 30 * 60_000, name: 'train' });
    const { job, phases } = await runToEnd('flex');

    expect(phases).toEqual([
      'draining',
      'scheduling',
      'maintenance',
      'health',
      'triage',
      'bookkeeping',
      'done',
    ]);
    expect(job).toMatchObject({ outcome: 'returned', drainedBy: 'pitstop', maintenanceState: 'SUCCEEDED' });
    expect(job.verdict?.status).toBe('PASS');
    expect((await pipeline.cluster.status('gpu-1')).drain).toBe('none');
    const event = await pipeline.oci.cloud.getEvent(EVENTS.flex.id);
    expect([event.state, event.freeformTags.pitstop]).toEqual(['SUCCEEDED', 'done:returned']);
    expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
    // The thread tells the story in order.
    const said = (pattern: RegExp) => pipeline.thread.findIndex((line) => pattern.test(line));
    const order = [
      /Slurm jobs still running/,
      /following work request/,
      /is PROCESSING/,
      /: PASS/,
      /bookkeeping → done/,
    ];
    const positions = order.map(said);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('never resumes a node someone else drained, and records it as kept out', async () => {
    pipeline.slurm.drainAs('bob', 'gpu-1', 'bad DIMM, ticket 42');
    const { job } = await runToEnd('flex');
    expect(job).toMatchObject({ outcome: 'kept_out', drainedBy: 'other' });
    expect((await pipeline.cluster.status('gpu-1')).reason).toBe('bad DIMM, ticket 42');
    expect(pipeline.slurmUpdates).toEqual([]);
  });

  it('keeps the node out when the maintenance FAILED', async () => {
    const { job, phases } = await runToEnd('failing');
    expect(phases).toEqual(['draining', 'scheduling', 'maintenance', 'triage', 'bookkeeping', 'done']);
    expect(job.outcome).toBe('kept_out');
    const status = await pipeline.cluster.status('gpu-3');
    expect([status.drain, status.reason]).toEqual([
      'drained',
      `pitstop ${job.id}: OCI reports the maintenance FAILED`,
    ]);
  });

  it('stops with the work request errors when OCI could not move the window, the node left drained', async () => {
    const { job } = await runToEnd('broken');
    expect(job.outcome).toBe('failed');
    expect(job.reason).toContain('InternalError: host is not reachable');
    expect((await pipeline.cluster.status('gpu-2')).drain).toBe('drained');
  });
});
