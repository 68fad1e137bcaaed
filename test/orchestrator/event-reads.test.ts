import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { recordEventRead } from '../../src/orchestrator/event-reads.js';
import { JobStore } from '../../src/store/job-store.js';
import { type OrchestratorRig, orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
let stateFile: string;
const rigs: OrchestratorRig[] = [];

beforeEach(async () => {
  pipeline = await startPipeline();
  stateFile = tempStateFile();
});
afterEach(async () => {
  for (const made of rigs.splice(0)) await made.close().catch(() => {});
  await pipeline.stop();
});

async function rig() {
  const made = await orchestratorOver(pipeline, stateFile);
  rigs.push(made);
  return made;
}

const gets = () => pipeline.oci.sim.count('getInstanceMaintenanceEvent');

describe('sweeps read only what changed, and jobs keep the OCI state as last read', () => {
  it('a second sweep over an unchanged fleet reads no event, and records on each job that it was read', async () => {
    const { orchestrator, store } = await rig();
    await orchestrator.sweep();
    expect(gets()).toBe(4);
    pipeline.clock.advance(15 * 60_000);
    const second = pipeline.clock.now().toISOString();
    const result = await orchestrator.sweep();
    expect(gets()).toBe(4);
    expect(result.discovered).toBe(4);
    expect(store.list().map((job) => job.eventReadAt)).toEqual([second, second, second, second]);
  });

  it('follows a working job whose event OCI started at its own window: read once, recorded as STARTED', async () => {
    const { orchestrator, store } = await rig();
    await orchestrator.sweep();
    // Paused: the approved job stays in draining without touching the node.
    await orchestrator.pause('U0ALICE', 'change freeze');
    await orchestrator.approve('gpu-1', 'U0ALICE', 'cli');
    pipeline.oci.sim.fleet.event(EVENTS.flex.id).lifecycleState = 'STARTED';
    pipeline.clock.advance(15 * 60_000);
    const readAt = pipeline.clock.now().toISOString();
    await orchestrator.sweep();
    expect(gets()).toBe(5);
    expect(store.findByEvent(EVENTS.flex.id)).toMatchObject({
      phase: 'draining',
      event: { state: 'STARTED' },
      eventReadAt: readAt,
    });
  });

  it("records the phases' reads (maintenance polls, health): the finished job holds the event as OCI ended it", async () => {
    const { orchestrator } = await rig();
    await orchestrator.sweep();
    await orchestrator.approve('gpu-1', 'U123', 'cli');
    await orchestrator.idle();
    const finished = readFileSync(join(stateFile, '..', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; eventId: string; job?: Record<string, unknown> })
      .find((record) => record.type === 'finished' && record.eventId === EVENTS.flex.id)!;
    expect(finished.job).toMatchObject({ outcome: 'returned', event: { state: 'SUCCEEDED' } });
    expect(String(finished.job!.eventReadAt) > String(finished.job!.createdAt)).toBe(true);
  });

  it('never puts back an older read over a newer one (a sweep that listed before a poll finishes after it)', async () => {
    const store = await JobStore.open({
      stateFile,
      auditFile: join(stateFile, '..', 'audit.jsonl'),
      clock: pipeline.clock,
    });
    try {
      const event = await pipeline.oci.cloud.getEvent(EVENTS.flex.id);
      const job = await store.create(newJob(event, new Date('2026-11-25T18:00:00.000Z'), 'gpu-1'));
      await recordEventRead(store, { ...event, state: 'STARTED' }, '2026-11-25T18:20:00.000Z');
      await recordEventRead(store, event, '2026-11-25T18:15:00.000Z');
      expect(store.get(job.id)).toMatchObject({
        event: { state: 'STARTED' },
        eventReadAt: '2026-11-25T18:20:00.000Z',
      });
    } finally {
      await store.close();
    }
  });
});
