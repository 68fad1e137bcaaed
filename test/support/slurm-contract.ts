/**
 * One contract for the Cluster port, run against the in-memory simulator (test/slurm) and the
 * real test cluster (test/integration), so the simulator cannot drift from real Slurm.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/domain/job.js';
import type { Clock, Cluster, DrainProgress } from '../../src/ports.js';
import { SlurmError, SlurmWaitError, UnknownNodeError } from '../../src/slurm/errors.js';

export interface ClusterHarness {
  readonly cluster: Cluster;
  readonly clock: Clock;
  readonly nodes: readonly string[];
  readonly gpusPerNode: number;
  /** Starts a Slurm job on the node that runs for `seconds`; resolves with its id once it runs. */
  runSlurmJob(node: string, seconds: number): Promise<string>;
  /** An administrator other than Pitstop drains the node. */
  drainAsSomeoneElse(node: string, reason: string): Promise<void>;
  stopSlurmd(node: string): Promise<void>;
  startSlurmd(node: string): Promise<void>;
  /** An administrator reserves `nodes` from `startInS` seconds from now for `minutes`. */
  reserve(name: string, nodes: string[], startInS: number, minutes: number): Promise<void>;
  /** Lets time pass: real time, or the simulator's clock. */
  pass(ms: number): Promise<void>;
  /** Every node idle, responding, without reason, Slurm jobs or reservations. */
  reset(): Promise<void>;
}

const JOB = jobIdFor('ocid1.instancemaintenanceevent.oc1.iad.contract');
const NEXT_JOB = jobIdFor('ocid1.instancemaintenanceevent.oc1.iad.contract2');
const REASON = `pitstop ${JOB}: HPCRDMA-0002-02 event ocid1.instancemaintenanceevent.oc1.iad.contract`;
const NEXT_REASON = `pitstop ${NEXT_JOB}: HPCRDMA-0002-02 event ocid1.instancemaintenanceevent.oc1.iad.contract2`;
const FAILED = `pitstop ${JOB}: GPU 3 failed checks`;
const HAND = 'pitstop: bad GPU';
const FOREIGN = 'hw ticket 4711 bad fan';

export function describeClusterContract(name: string, harness: () => ClusterHarness): void {
  describe(`Cluster contract: ${name}`, () => {
    let h: ClusterHarness;
    const deadline = (seconds: number) => new Date(h.clock.now().getTime() + seconds * 1000);
    const [idle, busy, other, rebooted] = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'];

    beforeEach(async () => {
      h = harness();
      await h.reset();
    });

    it('reads an idle node: state, GPUs, partition, slurmd registration', async () => {
      const status = await h.cluster.status(idle);
      expect(status).toMatchObject({ name: idle, state: 'IDLE', drain: 'none', responding: true });
      expect(status.gpus).toBe(h.gpusPerNode);
      expect(status.partitions).toContain('gpu');
      expect(status.reason).toBeUndefined();
      expect(Date.parse(status.slurmdStartTime!)).toBeLessThanOrEqual(h.clock.now().getTime());
      const all = await h.cluster.listNodes();
      expect(all.map((node) => node.name).sort()).toEqual([...h.nodes].sort());
    });

    it('lists reservations with their node lists expanded, times, and whether they began', async () => {
      expect(await h.cluster.reservations()).toEqual([]);
      const now = h.clock.now().getTime();
      await h.reserve('train_run', [idle, busy, rebooted], 3600, 120);
      await h.reserve('maint_now', [other], 0, 30);
      const found = await h.cluster.reservations();
      const byName = Object.fromEntries(found.map((r) => [r.name, r]));
      expect(Object.keys(byName).sort()).toEqual(['maint_now', 'train_run']);
      expect(byName.train_run).toMatchObject({ nodes: [idle, busy, rebooted], state: 'INACTIVE' });
      expect(byName.maint_now).toMatchObject({ nodes: [other], state: 'ACTIVE' });
      // Slurm prints whole seconds; a real cluster took some of them to answer.
      const startsIn = Date.parse(byName.train_run!.start) - now;
      expect(Math.abs(startsIn - 3_600_000)).toBeLessThan(60_000);
      expect(Date.parse(byName.train_run!.end) - Date.parse(byName.train_run!.start)).toBe(120 * 60_000);
    });

    it('says which node Slurm does not know', async () => {
      await expect(h.cluster.status('gpu-99')).rejects.toThrow(UnknownNodeError);
      await expect(h.cluster.drain('gpu-99', REASON)).rejects.toThrow(/gpu-99/);
    });

    it('rejects a node name with shell metacharacters', async () => {
      for (const bad of ['gpu-1;reboot', 'gpu-1 State=DOWN', '$(id)', 'gpu-[1-4]', '-gpu']) {
        await expect(h.cluster.drain(bad, REASON)).rejects.toThrow(/not a Slurm node name/);
      }
    });

    it('drains an idle node at once, with our reason', async () => {
      expect(await h.cluster.drain(idle, REASON)).toEqual({ ours: true });
      const drained = await h.cluster.waitDrained(idle, { deadline: deadline(10) });
      expect(drained).toMatchObject({ drain: 'drained', reason: REASON });
      expect(drained.flags).toContain('DRAIN');
    });

    it('refuses a drain whose reason is not ours, and changes nothing', async () => {
      await expect(h.cluster.drain(idle, 'maintenance')).rejects.toThrow(SlurmError);
      await expect(h.cluster.drain(idle, 'pitstop:')).rejects.toThrow(/say why/);
      expect((await h.cluster.status(idle)).drain).toBe('none');
    });

    it('waits for the Slurm job on a draining node, reporting it, then sees the node drained', async () => {
      const slurmJob = await h.runSlurmJob(busy, 4);
      expect((await h.cluster.status(busy)).state).toMatch(/MIXED|ALLOCATED/);
      await h.cluster.drain(busy, REASON);
      expect((await h.cluster.status(busy)).drain).toBe('draining');
      expect((await h.cluster.slurmJobsOn(busy)).map((job) => job.id)).toEqual([slurmJob]);

      const progress: DrainProgress[] = [];
      const messages: string[] = [];
      const drained = await h.cluster.waitDrained(busy, {
        deadline: deadline(30),
        onDrainProgress: (p) => progress.push(p),
        onProgress: (m) => messages.push(m),
      });
      expect(drained.drain).toBe('drained');
      expect(progress[0]!.blocking.map((job) => job.id)).toEqual([slurmJob]);
      expect(progress[0]!.status.drain).toBe('draining');
      expect(messages[0]).toContain(slurmJob);
      expect(await h.cluster.slurmJobsOn(busy)).toEqual([]);
    });

    it('gives up at the deadline, naming the Slurm jobs still running', async () => {
      const slurmJob = await h.runSlurmJob(busy, 120);
      await h.cluster.drain(busy, REASON);
      const wait = h.cluster.waitDrained(busy, { deadline: deadline(1) });
      await expect(wait).rejects.toThrow(SlurmWaitError);
      await expect(wait).rejects.toThrow(new RegExp(`${busy}.*${slurmJob}`));
    });

    it('resumes a node it drained', async () => {
      await h.cluster.drain(idle, REASON);
      expect(await h.cluster.resume(idle, { owner: JOB })).toEqual({ resumed: true });
      const status = await h.cluster.status(idle);
      expect(status).toMatchObject({ state: 'IDLE', drain: 'none' });
      expect(status.reason).toBeUndefined();
    });

    it('does not resume a node that is not out of service', async () => {
      const result = await h.cluster.resume(idle);
      expect(result.resumed).toBe(false);
      expect(result.resumed === false && result.why).toMatch(/not drained or down/);
    });

    it("leaves someone else's drain alone: no new reason, no resume unless forced", async () => {
      await h.drainAsSomeoneElse(other, FOREIGN);
      const drain = await h.cluster.drain(other, REASON);
      expect(drain.ours).toBe(false);
      expect(drain.ours === false && drain.why).toContain(FOREIGN);
      expect((await h.cluster.status(other)).reason).toBe(FOREIGN);

      const resume = await h.cluster.resume(other);
      expect(resume.resumed).toBe(false);
      expect(resume.resumed === false && resume.why).toMatch(new RegExp(`${other}.*${FOREIGN}.*stays out`));
      const failed = await h.cluster.markFailed(other, FAILED, 'DOWN');
      expect(failed.ours === false && failed.why).toMatch(new RegExp(`${other}.*${FOREIGN}.*stays out`));
      expect(await h.cluster.status(other)).toMatchObject({ drain: 'drained', reason: FOREIGN });

      expect(await h.cluster.resume(other, { force: true })).toEqual({ resumed: true });
      expect((await h.cluster.status(other)).drain).toBe('none');
    });

    it('keeps a failed node out, DOWN or DRAIN, with our reason, and can resume it', async () => {
      expect(await h.cluster.markFailed(idle, FAILED, 'DOWN')).toEqual({ ours: true });
      expect(await h.cluster.status(idle)).toMatchObject({ state: 'DOWN', reason: FAILED });
      expect(await h.cluster.resume(idle, { owner: JOB })).toEqual({ resumed: true });
      await h.cluster.markFailed(idle, FAILED, 'DRAIN');
      expect(await h.cluster.status(idle)).toMatchObject({ drain: 'drained', reason: FAILED });
    });

    it("never lets a job claim, mark or resume an operator's hold from pitstop node drain; a hand resume may", async () => {
      expect(await h.cluster.drain(other, HAND)).toEqual({ ours: true });
      const drain = await h.cluster.drain(other, REASON);
      expect(drain.ours === false && drain.why).toMatch(new RegExp(`${other}.*${HAND}.*operator's hold`));
      expect((await h.cluster.markFailed(other, FAILED, 'DOWN')).ours).toBe(false);
      const resume = await h.cluster.resume(other, { owner: JOB });
      expect(resume.resumed === false && resume.why).toContain(`pitstop node resume ${other}`);
      expect(await h.cluster.status(other)).toMatchObject({ drain: 'drained', reason: HAND });

      expect(await h.cluster.resume(other)).toEqual({ resumed: true });
      expect((await h.cluster.status(other)).drain).toBe('none');
    });

    it("never lets a job claim, mark or resume another job's drain or FAIL, nor a hand resume without --force", async () => {
      await h.cluster.markFailed(other, FAILED, 'DRAIN');
      expect((await h.cluster.drain(other, NEXT_REASON)).ours).toBe(false);
      expect((await h.cluster.markFailed(other, `pitstop ${NEXT_JOB}: health FAIL`, 'DOWN')).ours).toBe(
        false,
      );
      const resume = await h.cluster.resume(other, { owner: NEXT_JOB });
      expect(resume.resumed === false && resume.why).toMatch(
        new RegExp(`held for job ${JOB}.*scontrol update NodeName=${other} State=RESUME`),
      );
      const byHand = await h.cluster.resume(other);
      expect(byHand.resumed === false && byHand.why).toContain(`pitstop node resume ${other} --force`);
      expect(await h.cluster.status(other)).toMatchObject({ drain: 'drained', reason: FAILED });
      expect(await h.cluster.resume(other, { force: true })).toEqual({ resumed: true });
    });

    it('hands a drain over from one job to the next: only the next job resumes it then', async () => {
      await h.cluster.drain(idle, REASON);
      expect(await h.cluster.drain(idle, NEXT_REASON, { from: JOB })).toEqual({ ours: true });
      expect(await h.cluster.status(idle)).toMatchObject({ drain: 'drained', reason: NEXT_REASON });
      expect((await h.cluster.resume(idle, { owner: JOB })).resumed).toBe(false);
      // Handed over twice (the first job's triage run again after a crash): still the next job's.
      expect(await h.cluster.drain(idle, NEXT_REASON, { from: JOB })).toEqual({ ours: true });
      expect(await h.cluster.resume(idle, { owner: NEXT_JOB })).toEqual({ resumed: true });
    });

    it('sees a restarted slurmd register again (waitBack), not before', async () => {
      await h.cluster.drain(rebooted, REASON);
      const since = h.clock.now();
      await h.stopSlurmd(rebooted);
      const early = await h.cluster
        .waitBack(rebooted, since, { deadline: deadline(1) })
        .catch((e: Error) => e);
      expect(early).toBeInstanceOf(SlurmWaitError);
      expect((early as Error).message).toMatch(/not back/);

      await h.startSlurmd(rebooted);
      const messages: string[] = [];
      const back = await h.cluster.waitBack(rebooted, since, {
        deadline: deadline(30),
        onProgress: (m) => messages.push(m),
      });
      expect(back.responding).toBe(true);
      expect(Date.parse(back.slurmdStartTime!)).toBeGreaterThanOrEqual(
        Math.floor(since.getTime() / 1000) * 1000,
      );
      // Our drain survives the restart: the node waits for its health checks.
      expect(back).toMatchObject({ drain: 'drained', reason: REASON });
    });

    it('sees a stopped slurmd as not responding after SlurmdTimeout, and back once it registers', async () => {
      const since = h.clock.now();
      await h.stopSlurmd(rebooted);
      let status = await h.cluster.status(rebooted);
      for (let i = 0; i < 60 && status.responding; i++) {
        await h.pass(1000);
        status = await h.cluster.status(rebooted);
      }
      expect(status.responding).toBe(false);
      await h.startSlurmd(rebooted);
      const back = await h.cluster.waitBack(rebooted, since, { deadline: deadline(30) });
      expect(back).toMatchObject({ responding: true, drain: 'none' });
      expect(back.state).not.toBe('DOWN');
    }, 90_000);
  });
}
