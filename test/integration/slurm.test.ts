/**
 * Against a real Slurm (Debian's slurmctld/slurmd 22.05+), started here on this machine.
 * Under CI=true a missing Slurm fails these tests; elsewhere they are skipped with the reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { newJob } from '../../src/domain/job.js';
import { slurmReservation } from '../../src/gates/blockers/slurm-reservation.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { SlurmCommands } from '../../src/slurm/commands.js';
import { SlurmUnreachableError } from '../../src/slurm/errors.js';
import { parseNodeState } from '../../src/slurm/parsers/node-state.js';
import { sampleEvent } from '../support/events.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import { describeClusterContract } from '../support/slurm-contract.js';
import { clusterOver, realHarness, slurm, TEST_POLL } from '../support/slurm-real-harness.js';
import { missingTool } from '../support/system-tools.js';

describe.skipIf(missingTool(slurmUnavailableReason()))('real Slurm', () => {
  let cluster: RunningCluster;

  beforeAll(async () => {
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

  it('holds the drain of a node reserved before its maintenance would end (the reservation blocker on real Slurm)', async () => {
    const harness = realHarness(cluster);
    await harness.reset();
    const blocker = slurmReservation(clusterOver(cluster), 5 * 60_000);
    const onGpu = (node: string) => newJob(sampleEvent({ estimatedDuration: 'PT1H' }), new Date(), node);
    // Starts in 30 minutes: inside gpu-1's and gpu-3's maintenance (lead 5 min + 1 h).
    await harness.reserve('pitstop_gate', ['gpu-1', 'gpu-3'], 1800, 60);
    await harness.reserve('pitstop_later', ['gpu-2'], 3 * 3600, 60);
    expect(await blocker.holds(onGpu('gpu-3'), new Date())).toMatch(
      /^Slurm reservation pitstop_gate \(.* users root\) holds gpu-3, and the maintenance would last until about /,
    );
    expect(await blocker.holds(onGpu('gpu-2'), new Date())).toBeUndefined();
    expect(await blocker.holds(onGpu('gpu-4'), new Date())).toBeUndefined();
    await harness.reset();
    expect(await blocker.holds(onGpu('gpu-3'), new Date())).toBeUndefined();
  });

  it('retries when slurmctld does not answer, then names the node and what to check', async () => {
    const conf = join(cluster.dir, 'unreachable.conf');
    // The same cluster, but a controller port nothing listens on.
    writeFileSync(
      conf,
      readFileSync(cluster.slurmConf, 'utf8').replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=1'),
    );
    const commands = new SlurmCommands({
      conf,
      timeoutMs: 30_000,
      clock: systemClock,
      retry: { attempts: 2, initialMs: 10 },
    });
    const error = await commands.showNodes('gpu-1').catch((e: Error) => e);
    expect(error).toBeInstanceOf(SlurmUnreachableError);
    expect((error as Error).message).toMatch(
      /node gpu-1: .*could not reach slurmctld after 2 attempts \(.*Unable to contact slurm controller/,
    );
    expect((error as Error).message).toContain(conf);
  }, 60_000);

  it('goes on waiting for a drain while slurmctld does not answer, and the node drains', async () => {
    const harness = realHarness(cluster);
    await harness.reset();
    // Commands that give up fast: a frozen slurmctld makes them time out.
    const commands = new SlurmCommands({
      conf: cluster.slurmConf,
      timeoutMs: 2_000,
      clock: systemClock,
      retry: { attempts: 1, initialMs: 10 },
    });
    const waiting = new SlurmCluster(commands, systemClock, TEST_POLL);
    const controller = Number(readFileSync(join(cluster.dir, 'run', 'slurmctld.pid'), 'utf8'));
    await harness.runSlurmJob('gpu-3', 8);
    await waiting.drain('gpu-3', 'pitstop: waits through an outage');
    const lines: string[] = [];
    try {
      const status = await waiting.waitDrained('gpu-3', {
        deadline: new Date(Date.now() + 60_000),
        onProgress: (line) => {
          lines.push(line);
          // slurmctld hangs (SIGSTOP) while the node drains, and comes back after one failed look.
          if (line.includes('Slurm jobs still running') && !lines.some((l) => l.includes('failed while')))
            process.kill(controller, 'SIGSTOP');
          if (line.startsWith('Slurm failed while Pitstop waits')) process.kill(controller, 'SIGCONT');
        },
      });
      expect(status.drain).toBe('drained');
    } finally {
      process.kill(controller, 'SIGCONT');
    }
    expect(lines.filter((line) => line.startsWith('Slurm failed while Pitstop waits'))).toEqual([
      expect.stringMatching(
        /gpu-3 to drain: node gpu-3: .*could not reach slurmctld .*no answer within 2000 ms/,
      ),
    ]);
    expect(lines.filter((line) => line.startsWith('Slurm answers again'))).toHaveLength(1);
    await harness.reset();
  }, 90_000);

  describe('pitstop node (the operator CLI)', () => {
    const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
    const pitstop = (...args: string[]) =>
      execa('node', [bin, 'node', ...args], {
        reject: false,
        env: { SLURM_CONF: cluster.slurmConf, LOG_LEVEL: 'silent' },
      });

    it('shows a node, drains it with --wait while a Slurm job ends, and resumes it', {
      timeout: 60_000,
    }, async () => {
      const harness = realHarness(cluster);
      await harness.reset();
      // Long enough to outlast two CLI start-ups (about a second each).
      const slurmJob = await harness.runSlurmJob('gpu-2', 8);
      const shown = await pitstop('status', 'gpu-2', '--json');
      expect(shown.exitCode).toBe(0);
      const { status, slurmJobs } = JSON.parse(shown.stdout);
      expect(status).toMatchObject({ name: 'gpu-2', state: 'MIXED', gpus: 8 });
      expect(slurmJobs.map((job: { id: string }) => job.id)).toEqual([slurmJob]);

      const drained = await pitstop('drain', 'gpu-2', '--reason', 'fan check', '--wait');
      expect(drained.exitCode).toBe(0);
      expect(drained.stdout).toBe('gpu-2 is drained (IDLE+DRAIN): pitstop: fan check');
      expect(drained.stderr).toContain(slurmJob);

      const resumed = await pitstop('resume', 'gpu-2');
      expect(resumed.exitCode).toBe(0);
      expect((await pitstop('status', 'gpu-2')).stdout).toMatch(/^gpu-2 {2}IDLE.*not drained/);
    });

    it("refuses someone else's drain unless --force, and bad names before any command", async () => {
      const harness = realHarness(cluster);
      await harness.reset();
      await harness.drainAsSomeoneElse('gpu-3', 'hw ticket 4711 bad fan');
      const refused = await pitstop('resume', 'gpu-3');
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/gpu-3 was drained by root .* "hw ticket 4711 bad fan", not by Pitstop/);
      expect((await pitstop('drain', 'gpu-3')).exitCode).toBe(1);
      expect((await pitstop('status', 'gpu-3')).stdout).toContain('reason: hw ticket 4711 bad fan');
      expect((await pitstop('resume', 'gpu-3', '--force')).exitCode).toBe(0);

      const bad = await pitstop('drain', 'gpu-1;scontrol update NodeName=gpu-1 State=DOWN');
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toMatch(/not a Slurm node name.*nothing was run/);
      expect((await harness.cluster.status('gpu-1')).drain).toBe('none');
    });
  });
});
