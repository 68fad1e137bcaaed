/**
 * Against a real Slurm (Debian's slurmctld/slurmd 22.05+), started here on this machine.
 * Under CI=true a missing Slurm fails these tests; elsewhere they are skipped with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeState } from '../../src/slurm/parsers/node-state.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import { describeClusterContract } from '../support/slurm-contract.js';
import { clusterOver, realHarness, slurm } from '../support/slurm-real-harness.js';

const unavailable = slurmUnavailableReason();
const mustRun = process.env.CI === 'true';
if (unavailable && !mustRun) console.warn(`skipping the real Slurm tests: ${unavailable}`);

describe.skipIf(unavailable !== null && !mustRun)('real Slurm', () => {
  let cluster: RunningCluster;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI needs a real Slurm for these tests: ${unavailable}`);
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  describeClusterContract('real Slurm', () => realHarness(cluster));

  describe('agrees with Slurm itself', () => {
    it("reads draining and drained as sinfo's drng and drain", async () => {
      const harness = realHarness(cluster);
      await harness.reset();
      await harness.runSlurmJob('gpu-2', 3);
      await harness.cluster.drain('gpu-1', 'pitstop: agrees with sinfo');
      await harness.cluster.drain('gpu-2', 'pitstop: agrees with sinfo');
      const sinfo = (await slurm(cluster, 'sinfo', ['-h', '-N', '-o', '%N %t'])).split('\n');
      const ours = await clusterOver(cluster).listNodes();
      const drainBySinfo = Object.fromEntries(
        sinfo.map((line) => line.split(' ')).map(([n, t]) => [n, parseNodeState(t!).drain]),
      );
      expect(Object.fromEntries(ours.map((node) => [node.name, node.drain]))).toEqual(drainBySinfo);
      expect(drainBySinfo).toMatchObject({ 'gpu-1': 'drained', 'gpu-2': 'draining', 'gpu-3': 'none' });
      await harness.reset();
    });
  });
});
