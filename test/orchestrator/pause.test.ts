import { afterEach, expect, it } from 'vitest';
import { orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

it('keeps a pause across a restart: the approved job waits until unpaused, then runs', async () => {
  pipeline = await startPipeline();
  const stateFile = tempStateFile();
  const first = await orchestratorOver(pipeline, stateFile);
  await first.orchestrator.sweep();
  await first.orchestrator.pause('U0ALICE', 'change freeze');
  await first.orchestrator.approve('gpu-1', 'U0ALICE', 'slack');
  await first.orchestrator.idle();
  await first.close();

  const second = await orchestratorOver(pipeline, stateFile);
  expect(second.orchestrator.paused()).toMatchObject({ by: 'U0ALICE', reason: 'change freeze' });
  await second.orchestrator.start();
  await second.orchestrator.idle();
  expect(second.store.findByEvent(EVENTS.flex.id)?.phase).toBe('draining');
  expect(second.orchestrator.status().paused).toMatchObject({ by: 'U0ALICE' });
  expect(pipeline.slurmUpdates).toEqual([]);

  await second.orchestrator.unpause('U0BOB');
  await second.orchestrator.idle();
  expect(second.store.findByEvent(EVENTS.flex.id)).toBeUndefined();
  expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
  await second.close();
  const reopened = await orchestratorOver(pipeline, stateFile);
  expect(reopened.orchestrator.paused()).toBeUndefined();
  await reopened.close();
});
