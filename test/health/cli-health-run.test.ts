/**
 * `pitstop health run` end to end: the real CLI against a real Slurm cluster on this machine
 * (for waitBack and the node's address), running the checks over the local transport with the
 * GPU stand-ins. Under CI=true a missing Slurm fails these tests; elsewhere they are skipped.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Verdict } from '../../src/domain/verdict.js';
import { type GpuStandins, gpuStandins, HEALTHY_SHAPE, healthyNode } from '../support/gpu-standins.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import { missingTool } from '../support/system-tools.js';

const ROOT = join(import.meta.dirname, '../..');
describe.skipIf(missingTool(slurmUnavailableReason()))('pitstop health run against a real Slurm', () => {
  let cluster: RunningCluster;
  let standins: GpuStandins;

  beforeAll(async () => {
    cluster = await startCluster();
    standins = await gpuStandins();
    await healthyNode(standins);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const pitstop = (env: Record<string, string>, ...args: string[]) =>
    execa(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'health', 'run', ...args], {
      cwd: ROOT,
      reject: false,
      env: { ...cluster.env, HEALTH_TRANSPORT: 'local', PATH: standins.path, ...env },
    });

  it('checks a node that is up and prints its verdict', async () => {
    const result = await pitstop({ HEALTH_TIMEOUT: '60s' }, 'gpu-1', '--shape', HEALTHY_SHAPE, '--json');
    expect(result.stderr).toContain('pitstop: gpu-1: answering over local');
    expect(result.exitCode).toBe(0);
    expect(Verdict.parse(JSON.parse(result.stdout)).status).toBe('PASS');
  }, 90_000);

  it('gives ERROR (exit 2) when the node does not come back before BACK_TIMEOUT', async () => {
    const since = new Date(Date.now() + 60_000).toISOString();
    const started = Date.now();
    const result = await pitstop(
      { BACK_TIMEOUT: '3s', HEALTH_TIMEOUT: '1h' },
      'gpu-2',
      '--shape',
      HEALTHY_SHAPE,
      '--since',
      since,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^ERROR gpu-2\n {2}✗ node-back: gpu-2 did not come back: /);
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 90_000);

  it('says which node Slurm does not know', async () => {
    const result = await pitstop({}, 'gpu-99', '--shape', HEALTHY_SHAPE);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot read gpu-99 from Slurm/);
  }, 90_000);
});
