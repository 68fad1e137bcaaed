import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobIdFor, newJob, retryTokenFor } from '../../src/domain/job.js';
import type { Logger } from '../../src/log.js';
import { recordEventRead } from '../../src/orchestrator/event-reads.js';
import { JobStore } from '../../src/store/job-store.js';
import { TENANCY } from '../oci/sim-fixture.js';
import { healthyNode } from '../support/gpu-standins.js';
import {
  capturingLogger,
  type OrchestratorRig,
  orchestratorOver,
  tempStateFile,
} from '../support/orchestrator.js';
import { EVENTS, type Pipeline, SECOND_ON_GPU1, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
let stateFile: string;
const rigs: OrchestratorRig[] = [];

beforeEach(async () => {
  pipeline = await startPipeline();
  stateFile = tempStateFile();
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => {});
  await pipeline.stop();
});

async function rig(options: Parameters<typeof orchestratorOver>[2] = {}, log?: Logger) {
  const made = await orchestratorOver(pipeline, stateFile, options, log);
  rigs.push(made);
  return made;
}

/** How each finished event ended, from the state file as `pitstop list` would read it. */
async function outcome(eventId: string) {
  return (await JobStore.read(stateFile)).finished[eventId]?.outcome;
}

/** A sweep that wrote the job for `eventId` and then died: nothing announced, nothing decided. */
async function crashedAfterWriting(eventId: string, node: string) {
  const store = await JobStore.open({
    stateFile,
    auditFile: join(stateFile, '..', 'audit.jsonl'),
    clock: pipeline.clock,
  });
  await store.create(newJob(await pipeline.oci.cloud.getEvent(eventId), pipeline.clock.now(), node));
  await store.close();
}

const instanceOf = (eventId: string) => pipeline.oci.sim.fleet.event(eventId).instanceId;

const slurmStates = (node: string) =>
  pipeline.slurmUpdates.filter((u) => u.node === node).map((u) => u.update.state);

describe('orchestrator', () => {
  it('turns each discovered event into one job and one announcement; a second sweep posts nothing', async () => {
    const { orchestrator, store, notifier } = await rig();
    const first = await orchestrator.sweep();
    expect(first.created.sort()).toEqual(
      Object.values(EVENTS)
        .map((e) => e.id)
        .sort(),
    );
    expect(notifier.announced.sort()).toEqual(first.created);
    expect(store.findByEvent(EVENTS.flex.id)).toMatchObject({ node: 'gpu-1', phase: 'awaiting_approval' });

    const second = await orchestrator.sweep();
    expect(second.created).toEqual([]);
    expect(notifier.announced).toHaveLength(4);
    expect(store.list()).toHaveLength(4);
  });

  it('runs one discovery at a time: a second call joins the running one', async () => {
    const { orchestrator, notifier } = await rig();
    const [a, b] = await Promise.all([orchestrator.sweep(), orchestrator.sweep()]);
    expect([a.joined, b.joined]).toEqual([false, true]);
    expect(b.created).toEqual(a.created);
    expect(notifier.announced).toHaveLength(4);
  });

  it('runs an approved job to the end and gives the node back', async () => {
    const { orchestrator, notifier } = await rig();
    await orchestrator.sweep();
    const approved = await orchestrator.approve('gpu-1', 'U123', 'cli');
    expect(approved).toMatchObject({ eventId: EVENTS.flex.id, phase: 'draining' });
    await orchestrator.idle();

    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    expect((await pipeline.cluster.status('gpu-1')).drain).toBe('none');
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'RESUME']);
    expect(notifier.thread(EVENTS.flex.id).at(-1)).toBe('bookkeeping → done');
  });

  it('ends a denied job and leaves its node alone', async () => {
    const { orchestrator } = await rig();
    await orchestrator.sweep();
    const denied = await orchestrator.deny(EVENTS.broken.id, 'U9', 'cli', 'training run until Friday');
    expect(denied).toMatchObject({ phase: 'done', outcome: 'denied' });
    await orchestrator.idle();
    expect(await outcome(EVENTS.broken.id)).toBe('denied');
    expect(pipeline.slurmUpdates).toEqual([]);
    expect(pipeline.oci.sim.count('updateInstanceMaintenanceEvent')).toBe(0);
  });

  it('refuses a reference that names no active job, listing what there is', async () => {
    const { orchestrator } = await rig();
    await orchestrator.sweep();
    await expect(orchestrator.approve('gpu-9', 'U1', 'cli')).rejects.toThrow(
      /no active job for gpu-9 .*active jobs: .*\(gpu-1, awaiting_approval\)/,
    );
  });

  it('approves by AUTO_APPROVE and runs the job without a human', async () => {
    const { orchestrator } = await rig({ autoApprove: ['HARDWARE_REPLACEMENT'] });
    const result = await orchestrator.sweep();
    expect(result.approved.map((j) => j.approval)).toContainEqual(
      expect.objectContaining({ by: 'AUTO_APPROVE', via: 'policy' }),
    );
    await orchestrator.idle();
    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    expect(await outcome(EVENTS.failing.id)).toBe('kept_out');
  });

  it('leaves alone a job a human decided while the sweep was still at work', async () => {
    const { orchestrator, notifier } = await rig({ autoApprove: ['ALL'] });
    // The announcement is where Slack's buttons appear: a human may press one at once.
    const announce = notifier.announce.bind(notifier);
    notifier.announce = async (job) => {
      const where = await announce(job);
      if (job.eventId === EVENTS.flex.id) await orchestrator.deny(job.eventId, 'U7', 'slack', 'not now');
      return where;
    };
    const result = await orchestrator.sweep();
    expect(result.approved.map((j) => j.eventId)).not.toContain(EVENTS.flex.id);
    expect(result.approved).toHaveLength(3);
    await orchestrator.idle();
    expect(await outcome(EVENTS.flex.id)).toBe('denied');
    expect(slurmStates('gpu-1')).toEqual([]);
  });

  it('with MAX_NODES_OUT=1 runs two approved jobs one after the other, saying why the second waits', async () => {
    const { orchestrator, notifier } = await rig({ maxNodesOut: 1 });
    await orchestrator.sweep();
    await orchestrator.approve('gpu-1', 'U1', 'cli');
    await orchestrator.approve('gpu-3', 'U1', 'cli');
    await orchestrator.idle();

    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    expect(await outcome(EVENTS.failing.id)).toBe('kept_out');
    const waits = notifier.thread(EVENTS.failing.id).filter((l) => l.startsWith('waiting to start'));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(/MAX_NODES_OUT=1: gpu-3 waits/);
    const at = (eventId: string, line: string) =>
      notifier.lines.findIndex((l) => l.eventId === eventId && l.line === line);
    expect(at(EVENTS.failing.id, 'draining → scheduling')).toBeGreaterThan(
      at(EVENTS.flex.id, 'bookkeeping → done'),
    );
  });

  it("checks every waiting job against one read of Slurm's node list per pass, not one read per job", async () => {
    const { orchestrator, notifier } = await rig({ maxNodesOut: 1 });
    await orchestrator.sweep();
    await orchestrator.pause('U1', 'approve everything first');
    for (const node of ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4']) await orchestrator.approve(node, 'U1', 'cli');
    const reads = vi.spyOn(pipeline.cluster, 'listNodes');
    // The pass after unpause starts gpu-1 and tells the three others why they wait.
    let readsOnceAllWaited: number | undefined;
    let waiting = 0;
    notifier.onLine((line) => {
      if (line.startsWith('waiting to start') && ++waiting === 3)
        readsOnceAllWaited = reads.mock.calls.length;
    });
    await orchestrator.unpause('U1');
    await orchestrator.idle();

    expect(readsOnceAllWaited).toBe(1);
    expect(await outcome(EVENTS.flex.id)).toBe('returned');
  });

  it('looks at the queue once for approvals that arrive together, not once per approval', async () => {
    const { orchestrator, notifier } = await rig({ maxNodesOut: 1 });
    await orchestrator.sweep();
    const reads = vi.spyOn(pipeline.cluster, 'listNodes');
    let readsWhenFirstDone: number | undefined;
    notifier.onLine((line) => {
      if (line === 'bookkeeping → done') readsWhenFirstDone ??= reads.mock.calls.length;
    });
    await Promise.all(['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'].map((n) => orchestrator.approve(n, 'U1', 'cli')));
    await orchestrator.idle();

    expect(readsWhenFirstDone).toBe(1);
  });

  it('after a stop in the middle of a phase, a new orchestrator on the same state file finishes the job once', async () => {
    const first = await rig();
    await first.orchestrator.sweep();
    let stopping: Promise<void> | undefined;
    first.notifier.onLine((line) => {
      if (/work request .* is ACCEPTED/.test(line)) stopping ??= first.close();
    });
    const job = await first.orchestrator.approve('gpu-1', 'U1', 'cli');
    await first.orchestrator.idle();
    await stopping;
    expect((await JobStore.read(stateFile)).jobs[job.id]?.phase).toBe('scheduling');

    const second = await rig();
    await second.orchestrator.start();
    await second.orchestrator.idle();

    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    const scheduleUpdates = pipeline.oci.sim.requests.filter(
      (r) => r.operation === 'updateInstanceMaintenanceEvent' && r.retryToken === retryTokenFor(job),
    );
    expect(scheduleUpdates.filter((r) => !r.replayed)).toHaveLength(1);
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'RESUME']);
  });

  it('creates a job for an instance with no Slurm node, says so, and maps it at a later sweep', async () => {
    const { orchestrator, store, notifier } = await rig();
    const instance = pipeline.oci.sim.fleet.instance(instanceOf(EVENTS.flex.id));
    instance.displayName = 'not-a-slurm-node';
    const first = await orchestrator.sweep();
    expect(first.unmapped).toEqual([EVENTS.flex.id]);
    expect(notifier.thread(EVENTS.flex.id).join('\n')).toMatch(/maps to no Slurm node.*check NODE_MAPPING/);
    await expect(orchestrator.approve(EVENTS.flex.id, 'U1', 'cli')).rejects.toThrow(
      /not mapped to a Slurm node/,
    );

    instance.displayName = 'gpu-1';
    const second = await orchestrator.sweep();
    expect(second.unmapped).toEqual([]);
    expect(store.findByEvent(EVENTS.flex.id)?.node).toBe('gpu-1');
    expect(notifier.announced.filter((id) => id === EVENTS.flex.id)).toHaveLength(1);
    expect((await orchestrator.approve('gpu-1', 'U1', 'cli')).phase).toBe('draining');
  });

  it('creates no approvable job for two instances that claim one node, even under AUTO_APPROVE=ALL', async () => {
    const { orchestrator, store, notifier } = await rig({ autoApprove: ['ALL'] });
    // gpu-2's instance turns into a twin of gpu-1's (another VCN: same name, same private IP).
    const twin = pipeline.oci.sim.fleet.instance(instanceOf(EVENTS.broken.id));
    Object.assign(twin, { displayName: 'gpu-1', privateIp: '10.0.0.1' });
    const result = await orchestrator.sweep();
    expect(result.unmapped.sort()).toEqual([EVENTS.flex.id, EVENTS.broken.id].sort());
    expect(result.approved.map((j) => j.eventId).sort()).toEqual([EVENTS.failing.id, EVENTS.fixed.id].sort());
    const claim = new RegExp(
      `${instanceOf(EVENTS.flex.id)} by name\\+addr and ${twin.id} by name\\+addr all claim Slurm node gpu-1`,
    );
    for (const id of [EVENTS.flex.id, EVENTS.broken.id]) {
      expect(store.findByEvent(id)).toMatchObject({ phase: 'awaiting_approval', node: undefined });
      expect(notifier.thread(id).join('\n')).toMatch(claim);
      await expect(orchestrator.approve(id, 'U1', 'cli')).rejects.toThrow(claim);
    }
    await orchestrator.idle();
    expect(slurmStates('gpu-1')).toEqual([]);
  });

  it('cancels a job awaiting approval whose event OCI canceled', async () => {
    const { orchestrator, notifier } = await rig();
    await orchestrator.sweep();
    pipeline.oci.sim.fleet.event(EVENTS.broken.id).lifecycleState = 'CANCELED';
    const result = await orchestrator.sweep();
    expect(result.canceled).toEqual([EVENTS.broken.id]);
    expect(await outcome(EVENTS.broken.id)).toBe('canceled');
    expect(notifier.thread(EVENTS.broken.id)).toEqual(['awaiting_approval → done']);
    expect(pipeline.slurmUpdates).toEqual([]);
  });

  it('in DRY_RUN announces and accepts the decision but runs no phase', async () => {
    const { orchestrator, notifier } = await rig({ dryRun: true });
    await orchestrator.sweep();
    await orchestrator.approve('gpu-1', 'U1', 'cli');
    await orchestrator.idle();
    expect(notifier.thread(EVENTS.flex.id)).toContain(
      'DRY_RUN: would run draining on gpu-1; nothing was changed',
    );
    expect(pipeline.slurmUpdates).toEqual([]);
    expect(orchestrator.status()).toMatchObject({
      dryRun: true,
      jobsByPhase: { draining: 1, awaiting_approval: 3 },
    });
  });

  it('posts an announcement that failed again at the next sweep, records where it went, and never posts it twice', async () => {
    const { orchestrator, store, notifier } = await rig();
    const announce = notifier.announce.bind(notifier);
    let slackDown = true;
    notifier.announce = async (job) => {
      if (slackDown && job.eventId === EVENTS.flex.id) throw new Error('Slack is down');
      return announce(job);
    };
    await orchestrator.sweep();
    await orchestrator.sweep();
    expect(notifier.announced).not.toContain(EVENTS.flex.id);
    expect(store.findByEvent(EVENTS.flex.id)?.announcedAt).toBeUndefined();

    slackDown = false;
    await orchestrator.sweep();
    await orchestrator.sweep();
    expect(notifier.announced.filter((id) => id === EVENTS.flex.id)).toHaveLength(1);
    expect(notifier.announced).toHaveLength(4);
    expect(store.findByEvent(EVENTS.flex.id)).toMatchObject({
      announcedAt: pipeline.clock.now().toISOString(),
      slack: { channel: 'C0PITSTOP', ts: expect.any(String) },
    });
    expect((await JobStore.read(stateFile)).jobs[store.findByEvent(EVENTS.flex.id)!.id]?.slack).toBeDefined();
  });

  it('announces at the next start a job a crash left written but unannounced, even while OCI fails', async () => {
    await crashedAfterWriting(EVENTS.flex.id, 'gpu-1');
    pipeline.oci.sim.fleet.deny(TENANCY);
    const { orchestrator, notifier } = await rig();
    await orchestrator.start();
    expect(orchestrator.status().lastSweep?.ok).toBe(false);
    expect(notifier.announced).toEqual([EVENTS.flex.id]);

    pipeline.oci.sim.fleet.allow(TENANCY);
    await orchestrator.sweep();
    expect(notifier.announced.filter((id) => id === EVENTS.flex.id)).toHaveLength(1);
  });

  it('approves by AUTO_APPROVE at the next sweep a job a crash left written but not yet approved', async () => {
    await crashedAfterWriting(EVENTS.flex.id, 'gpu-1');
    const { orchestrator, notifier } = await rig({ autoApprove: ['ALL'] });
    await orchestrator.start();
    await orchestrator.idle();
    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'RESUME']);
    expect(notifier.thread(EVENTS.flex.id)[0]).toBe('awaiting_approval → draining');
  });

  it('logs at warn, with the job, each thread line it could not post, and the job goes on', async () => {
    const { log, lines } = capturingLogger();
    const { orchestrator, notifier } = await rig({}, log);
    notifier.progress = async () => {
      throw new Error('Slack is down');
    };
    await orchestrator.sweep();
    const job = await orchestrator.approve('gpu-1', 'U1', 'cli');
    await orchestrator.idle();

    expect(await outcome(EVENTS.flex.id)).toBe('returned');
    const lost = lines.filter(
      (l) => l.level === 40 && String(l.msg).startsWith('could not post a thread line'),
    );
    const drainLine = lost.find((l) => String(l.msg).includes('gpu-1: draining'));
    expect(drainLine).toMatchObject({
      jobId: job.id,
      eventId: EVENTS.flex.id,
      node: 'gpu-1',
      phase: 'draining',
      err: { message: 'Slack is down' },
    });
  });

  it("drains a fixed-window event only FIXED_WINDOW_DRAIN_LEAD before OCI's window, says so once, and starts by itself", async () => {
    const { orchestrator, notifier } = await rig({ fixedWindowDrainLeadMs: 2 * 3_600_000 });
    let drainedAt: Date | undefined;
    notifier.onLine((line) => {
      if (line.startsWith('gpu-4: draining')) drainedAt ??= pipeline.clock.now();
    });
    await orchestrator.sweep();
    await orchestrator.approve('gpu-4', 'U1', 'cli');
    await orchestrator.idle();

    const windowStart = pipeline.oci.sim.fleet.event(EVENTS.fixed.id).timeWindowStart!;
    const drainFrom = new Date(new Date(windowStart).getTime() - 2 * 3_600_000);
    expect(notifier.thread(EVENTS.fixed.id).filter((l) => l.includes('waits until'))).toEqual([
      `gpu-4: waits until ${drainFrom.toISOString()} to drain (2h before OCI's fixed window at ${new Date(windowStart).toISOString()}); it starts by itself then`,
    ]);
    expect(drainedAt!.getTime()).toBeGreaterThanOrEqual(drainFrom.getTime());
    expect(slurmStates('gpu-4')[0]).toBe('DRAIN');
    expect(await outcome(EVENTS.fixed.id)).toBeDefined();
  });
});

describe('orchestrator: two events on one node', () => {
  const first = { eventId: EVENTS.flex.id, id: jobIdFor(EVENTS.flex.id) };
  const second = { eventId: SECOND_ON_GPU1.id, id: jobIdFor(SECOND_ON_GPU1.id) };

  beforeEach(async () => {
    await pipeline.stop();
    pipeline = await startPipeline({ secondOnGpu1: true });
  });

  const failingGpus = () =>
    pipeline.standins.answer('nvidia-smi', {
      '-q': { fixture: 'nvidia-smi/q_a10_1gpu_drv535_remapped-rows-pending.txt' },
      'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
    });

  it('works the node with one job at a time: the second waits, takes over the drain, and resumes the node at the end', async () => {
    const { orchestrator, notifier } = await rig();
    await orchestrator.sweep();
    await orchestrator.approve(first.eventId, 'U1', 'cli');
    await orchestrator.approve(second.eventId, 'U1', 'cli');
    await orchestrator.idle();

    const waits = notifier.thread(second.eventId).filter((l) => l.startsWith('waits for'));
    expect(waits).toEqual([`waits for job ${first.id} (event ${first.eventId}) on gpu-1`]);
    const at = (eventId: string, line: string) =>
      notifier.lines.findIndex((l) => l.eventId === eventId && l.line === line);
    expect(at(second.eventId, 'draining → scheduling')).toBeGreaterThan(
      at(first.eventId, 'bookkeeping → done'),
    );
    // The first passed with the second still open: the node stays drained, now for the second.
    expect(await outcome(first.eventId)).toBe('kept_out');
    // The second drained nothing new: it found the drain as its own, then resumed the node.
    expect(await outcome(second.eventId)).toBe('returned');
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'DRAIN', 'RESUME']);
    expect(pipeline.slurmUpdates[1]?.update).toMatchObject({
      reason: expect.stringMatching(`^pitstop ${second.id}: `),
    });
    expect((await pipeline.cluster.status('gpu-1')).drain).toBe('none');
  });

  it("never resumes the node after the first job's FAIL, even when the next job passes", async () => {
    const { orchestrator } = await rig();
    await orchestrator.sweep();
    await failingGpus();
    await orchestrator.approve(first.eventId, 'U1', 'cli');
    await orchestrator.idle();
    expect(await outcome(first.eventId)).toBe('kept_out');

    await healthyNode(pipeline.standins);
    await orchestrator.approve(second.eventId, 'U1', 'cli');
    await orchestrator.idle();

    expect(await outcome(second.eventId)).toBe('kept_out');
    const status = await pipeline.cluster.status('gpu-1');
    expect([status.drain, status.reason]).toEqual([
      'drained',
      expect.stringMatching(`^pitstop ${first.id}: health FAIL`),
    ]);
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'DRAIN']);
  });

  it('keeps the node out when the job it was handed to is denied, and says how to resume it by hand', async () => {
    const { orchestrator, notifier } = await rig();
    await orchestrator.sweep();
    await orchestrator.approve(first.eventId, 'U1', 'cli');
    await orchestrator.idle();
    expect(await outcome(first.eventId)).toBe('kept_out');

    await orchestrator.deny(second.eventId, 'U2', 'cli', 'not this one');

    expect(notifier.thread(second.eventId).at(-1)).toBe(
      `gpu-1 stays drained: the job before this one on gpu-1 handed its drain to job ${second.id}, ` +
        'which ended (denied) without working it, so nothing resumes it. Check the node, then resume it by hand: pitstop node resume gpu-1 --force',
    );
    expect((await pipeline.cluster.status('gpu-1')).drain).toBe('drained');
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'DRAIN']);
  });

  it('keeps the node out when OCI cancels the event of the job it was handed to, and says how to resume it by hand', async () => {
    const { orchestrator, notifier } = await rig();
    await orchestrator.sweep();
    await orchestrator.approve(first.eventId, 'U1', 'cli');
    await orchestrator.idle();

    pipeline.oci.sim.fleet.event(second.eventId).lifecycleState = 'CANCELED';
    expect((await orchestrator.sweep()).canceled).toContain(second.eventId);

    expect(await outcome(second.eventId)).toBe('canceled');
    expect(notifier.thread(second.eventId).at(-1)).toMatch(
      /^gpu-1 stays drained: .* handed its drain to job \S+, which ended \(canceled\) without working it, .*pitstop node resume gpu-1 --force$/,
    );
    expect((await pipeline.cluster.status('gpu-1')).drain).toBe('drained');
    expect(slurmStates('gpu-1')).toEqual(['DRAIN', 'DRAIN']);
  });
});

const gets = () => pipeline.oci.sim.count('getInstanceMaintenanceEvent');

describe('sweeps read only what changed, and jobs keep the OCI state as last read', () => {
  it('a second sweep over an unchanged fleet reads no event, and records on each job that it was read', async () => {
    const { orchestrator, store } = await rig();
    await orchestrator.sweep();
    expect(gets()).toBe(4);
    // Denied: OCI still schedules the event, but Pitstop is done with it.
    await orchestrator.deny(EVENTS.broken.id, 'U9', 'cli', 'not now');
    pipeline.clock.advance(15 * 60_000);
    const second = pipeline.clock.now().toISOString();
    const result = await orchestrator.sweep();
    expect(gets()).toBe(4);
    expect(result.discovered).toBe(3);
    expect(store.list().map((job) => job.eventReadAt)).toEqual([second, second, second]);
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
