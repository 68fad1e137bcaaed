import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { JobStore } from '../src/store/job-store.js';
import { orchestratorOver, tempStateFile } from './support/orchestrator.js';
import { EVENTS, type Pipeline, startPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
let stateFile: string;

beforeEach(async () => {
  pipeline = await startPipeline();
  stateFile = tempStateFile();
});
afterEach(async () => {
  await pipeline.stop();
});

/** The orchestrator and store as `serve` wires them from this configuration. */
const serveWith = (env: NodeJS.ProcessEnv) => {
  const config = loadConfig({ STATE_FILE: stateFile, ...env });
  return orchestratorOver(pipeline, config.store, {
    dryRun: config.dryRun,
    autoApprove: config.pipeline.autoApprove,
  });
};

describe('DRY_RUN decides nothing for real', () => {
  it('keeps its state and audit log apart, even with STATE_FILE and AUDIT_FILE given', () => {
    const dry = loadConfig({ STATE_FILE: '/var/lib/pitstop/state.json', DRY_RUN: 'true' }).store;
    expect(dry).toEqual({
      stateFile: '/var/lib/pitstop/state.dry-run.json',
      auditFile: '/var/lib/pitstop/audit.dry-run.jsonl',
      controlSocket: '/var/lib/pitstop/state.dry-run.json.sock',
    });
    const given = loadConfig({ STATE_FILE: '/s/jobs', AUDIT_FILE: '/a/audit.log', DRY_RUN: 'true' }).store;
    expect(given).toMatchObject({ stateFile: '/s/jobs.dry-run', auditFile: '/a/audit.dry-run.log' });
    expect(loadConfig({ STATE_FILE: '/var/lib/pitstop/state.json' }).store).toEqual({
      stateFile: '/var/lib/pitstop/state.json',
      auditFile: '/var/lib/pitstop/audit.jsonl',
      controlSocket: '/var/lib/pitstop/state.json.sock',
    });
  });

  it('approvals a dry run took by AUTO_APPROVE never reach a later real run on the same STATE_FILE', async () => {
    const dry = await serveWith({ DRY_RUN: 'true', AUTO_APPROVE: 'ALL' });
    await dry.orchestrator.start();
    await dry.orchestrator.idle();
    expect(dry.store.findByEvent(EVENTS.flex.id)?.phase).toBe('draining');
    await dry.close();
    expect(pipeline.slurmUpdates).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);

    const real = await serveWith({});
    try {
      await real.orchestrator.start();
      await real.orchestrator.idle();
      expect(real.store.list().map((job) => job.phase)).toEqual(Array(4).fill('awaiting_approval'));
      expect(pipeline.slurmUpdates).toEqual([]);
    } finally {
      await real.close();
    }
    expect(Object.values((await JobStore.read(stateFile)).jobs)).toHaveLength(4);
  });
});
