import { describe, expect, it } from 'vitest';
import { orchestratorOptions } from '../../src/cli/wire.js';
import { loadConfig } from '../../src/config.js';

describe('wire: the orchestrator options serve builds from the configuration', () => {
  it('carries every setting, TRIAGE_TERMINATE included', () => {
    const config = loadConfig({
      DISCOVERY_CRON: '*/5 * * * *',
      MAX_WORKERS: '2',
      MAX_NODES_OUT: '3',
      MAX_PARTITION_OUT_PERCENT: '25',
      AUTO_APPROVE: 'FIRMWARE_UPDATE',
      FIXED_WINDOW_DRAIN_LEAD: '1h',
      DRY_RUN: 'true',
      TRIAGE_TERMINATE: 'true',
    });
    expect(orchestratorOptions(config)).toEqual({
      discoveryCron: '*/5 * * * *',
      maxWorkers: 2,
      maxNodesOut: 3,
      maxPartitionOutPercent: 25,
      autoApprove: ['FIRMWARE_UPDATE'],
      fixedWindowDrainLeadMs: 3_600_000,
      dryRun: true,
      triageTerminate: true,
    });
    expect(orchestratorOptions(loadConfig({})).triageTerminate).toBe(false);
  });
});
