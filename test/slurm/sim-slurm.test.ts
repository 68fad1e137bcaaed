/** What the simulator does beyond the shared contract: time, reboots, and Slurm's own words. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOutOfService } from '../../src/domain/node.js';
import { ManualClock } from '../../src/sim/clock.js';
import { createSimCluster } from '../../src/sim/slurm/index.js';
import { SlurmWaitError } from '../../src/slurm/errors.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/slurm');
const firstLine = (file: string) => readFileSync(join(FIXTURES, file), 'utf8').split('\n')[0]!;

function setup() {
  const clock = new ManualClock('2026-11-25T18:00:00Z');
  const { sim, cluster } = createSimCluster({
    clock,
    nodes: [{ name: 'gpu-1' }, { name: 'gpu-2', partitions: ['gpu', 'debug'], gpus: 4, cpus: 4 }],
    slurmdTimeoutMs: 10_000,
    poll: { initialMs: 1_000, maxMs: 4_000, progressEveryMs: 60_000 },
  });
  return { clock, sim, cluster };
}

/** Lets pending promise callbacks run, so a wait takes its next look. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SimSlurm', () => {
  it('lists the nodes out of service as showNodes counts them: drained, draining, down', async () => {
    const { clock, sim, cluster } = setup();
    const counted = async () =>
      (await cluster.listNodes()).filter(isOutOfService).map((status) => status.name);
    expect(sim.nodesOut()).toEqual([]);
    sim.submit('gpu-2', { durationMs: 5_000 });
    sim.drainAs('bob', 'gpu-2', 'bad cable');
    expect(sim.nodesOut()).toEqual(['gpu-2']);
    sim.stopSlurmd('gpu-1');
    clock.advance(20_000);
    expect(sim.nodesOut()).toEqual(['gpu-1', 'gpu-2']);
    expect(sim.nodesOut()).toEqual(await counted());
    sim.startSlurmd('gpu-1');
    await cluster.resume('gpu-2', { force: true });
    expect(sim.nodesOut()).toEqual([]);
    expect(await counted()).toEqual([]);
  });

  it('ends Slurm jobs as its clock moves', async () => {
    const { clock, sim, cluster } = setup();
    sim.submit('gpu-2', { durationMs: 5_000 });
    sim.submit('gpu-2', { durationMs: 65 * 60_000 });
    expect((await cluster.status('gpu-2')).state).toBe('MIXED');
    expect((await cluster.slurmJobsOn('gpu-2')).map((job) => job.elapsed)).toEqual(['0:00', '0:00']);
    clock.advance(5_000);
    expect((await cluster.slurmJobsOn('gpu-2')).map((job) => job.elapsed)).toEqual(['0:05']);
    clock.advance(60 * 60_000);
    expect((await cluster.slurmJobsOn('gpu-2')).map((job) => job.elapsed)).toEqual(['1:00:05']);
    clock.advance(5 * 60_000);
    expect(await cluster.status('gpu-2')).toMatchObject({
      state: 'IDLE',
      partitions: ['gpu', 'debug'],
      gpus: 4,
    });
  });

  it("refuses what Slurm refuses, in Slurm's words", async () => {
    const { sim } = setup();
    await expect(sim.updateNode('gpu-1', { state: 'DRAIN', reason: ' ' })).rejects.toThrow(
      firstLine('scontrol-update-drain-no-reason_22.05_refused.txt'),
    );
    await expect(sim.updateNode('gpu-1', { state: 'RESUME' })).rejects.toThrow(
      /Invalid node state specified/,
    );
    await expect(sim.showNodes('gpu-99')).rejects.toThrow(
      firstLine('scontrol-show-node-o_22.05_unknown-node.txt'),
    );
  });

  it('reboots a node: not responding, DOWN, then registered again with a new start and boot time', async () => {
    const { clock, sim, cluster } = setup();
    const before = await cluster.status('gpu-1');
    sim.submit('gpu-1', { durationMs: 3_600_000 });
    sim.reboot('gpu-1', 60_000);
    clock.advance(10_000);
    expect(await cluster.status('gpu-1')).toMatchObject({ responding: false, state: 'MIXED' });
    clock.advance(10_000);
    expect(await cluster.status('gpu-1')).toMatchObject({ state: 'DOWN', reason: 'Not responding' });
    expect(await cluster.slurmJobsOn('gpu-1')).toEqual([]);
    clock.advance(40_000);
    const after = await cluster.status('gpu-1');
    expect(after).toMatchObject({ state: 'IDLE', responding: true, drain: 'none' });
    expect(after.reason).toBeUndefined();
    expect(after.slurmdStartTime).toBe('2026-11-25T18:01:00.000Z');
    expect(after.bootTime).not.toBe(before.bootTime);
  });

  it('waitBack reports while the node is away and resolves when it registers', async () => {
    const { clock, sim, cluster } = setup();
    const since = clock.now();
    sim.reboot('gpu-1', 30_000);
    const messages: string[] = [];
    const back = cluster.waitBack('gpu-1', since, {
      deadline: new Date(since.getTime() + 120_000),
      onProgress: (m) => messages.push(m),
    });
    for (let i = 0; i < 12; i++) {
      await settle();
      clock.advance(4_000);
    }
    expect((await back).slurmdStartTime).toBe('2026-11-25T18:00:30.000Z');
    // Reported when the situation changed (responding → not responding), not on every look.
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatch(/gpu-1 is not back: not responding/);
  });

  it('abandons a drain wait when someone else resumes the node', async () => {
    const { clock, sim, cluster } = setup();
    sim.submit('gpu-1', { durationMs: 3_600_000 });
    await cluster.drain('gpu-1', 'pitstop: event x');
    const wait = cluster.waitDrained('gpu-1', { deadline: new Date(clock.now().getTime() + 7_200_000) });
    await settle();
    await sim.updateNode('gpu-1', { state: 'RESUME' });
    clock.advance(1_000);
    await expect(wait).rejects.toThrow(SlurmWaitError);
    await expect(wait).rejects.toThrow(/gpu-1 is no longer draining \(state MIXED\): someone resumed it/);
  });

  it("keeps Pitstop's drain through a reboot, and clears a DOWN on registration", async () => {
    const { clock, sim, cluster } = setup();
    await cluster.drain('gpu-1', 'pitstop: event x');
    await cluster.markFailed('gpu-2', 'pitstop: GPU 2 failed', 'DOWN');
    sim.reboot('gpu-1', 30_000);
    sim.reboot('gpu-2', 30_000);
    clock.advance(30_000);
    expect(await cluster.status('gpu-1')).toMatchObject({ drain: 'drained', reason: 'pitstop: event x' });
    // ReturnToService=2, as on the test cluster: a DOWN node that registers is back in service.
    expect(await cluster.status('gpu-2')).toMatchObject({ state: 'IDLE', drain: 'none' });
  });
});
