/**
 * The drain and triage phases against a real Slurm (Debian's slurmctld/slurmd, started here).
 * Under CI=true a missing Slurm fails these tests; elsewhere they are skipped with the reason.
 */
import { userInfo } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { type MaintenanceJob, newJob, transition } from '../../src/domain/job.js';
import { decideVerdict } from '../../src/domain/verdict.js';
import { drain } from '../../src/phases/drain.js';
import type { PhaseContext } from '../../src/phases/phase.js';
import { triage } from '../../src/phases/triage.js';
import type { Cloud, HealthRunner } from '../../src/ports.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { SlurmCommands } from '../../src/slurm/commands.js';
import { sampleEvent } from '../support/events.js';
import { RecordingBackend, SETTINGS } from '../support/pipeline.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import type { ClusterHarness } from '../support/slurm-contract.js';
import { realHarness, TEST_POLL } from '../support/slurm-real-harness.js';
import { missingTool } from '../support/system-tools.js';

/** Drain and triage use only Slurm; a call to another port would be a bug in the phase. */
const notUsed = (port: string) =>
  new Proxy(
    {},
    { get: (_, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not for this phase`)) },
  );

describe.skipIf(missingTool(slurmUnavailableReason()))('drain and triage against real Slurm', () => {
  let slurm: RunningCluster;
  let harness: ClusterHarness;
  let backend: RecordingBackend;
  let context: PhaseContext;
  const thread: string[] = [];

  beforeAll(async () => {
    slurm = await startCluster();
    harness = realHarness(slurm);
  });
  afterAll(async () => {
    await slurm?.stop();
  });
  beforeEach(async () => {
    await harness.reset();
    thread.length = 0;
    backend = new RecordingBackend(
      new SlurmCommands({ conf: slurm.slurmConf, timeoutMs: 15_000, clock: systemClock }),
    );
    context = {
      ports: {
        cloud: notUsed('cloud') as Cloud,
        health: notUsed('health') as HealthRunner,
        cluster: new SlurmCluster(backend, systemClock, TEST_POLL),
        clock: systemClock,
        notifier: {
          announce: async () => ({}),
          phaseChanged: async () => {},
          progress: async (_job, message) => {
            thread.push(message);
          },
        },
      },
      settings: { ...SETTINGS, drainTimeoutMs: 60_000 },
    };
  });

  const approved = (node: string, eventId = 'ocid1.instancemaintenanceevent.oc1.iad.aaaa1') =>
    transition(
      newJob(sampleEvent({ id: eventId }), new Date(), node),
      { type: 'approve', by: 'U1', via: 'cli' },
      new Date(),
    );

  /** The job in triage with `verdict`, drained as `drained` says. */
  function inTriage(job: MaintenanceJob, drainedBy: 'pitstop' | 'other', pass: boolean): MaintenanceJob {
    const verdict = decideVerdict([
      {
        check: 'gpu-count',
        status: pass ? 'pass' : 'fail',
        detail: pass ? '8 GPUs' : '7 of 8 GPUs',
        action: 'terminate',
      },
    ]);
    const at = new Date();
    return [
      { type: 'drained', drainedBy } as const,
      { type: 'scheduled', windowStart: at.toISOString() } as const,
      { type: 'maintenance_ended', state: 'SUCCEEDED' } as const,
      { type: 'health_checked', verdict } as const,
    ].reduce((j, action) => transition(j, action, at), job);
  }

  it('drains once, waits out a Slurm job, and resumes the node after a PASS', async () => {
    const node = slurm.nodes[0]!;
    const slurmJob = await harness.runSlurmJob(node, 3);
    const job = approved(node);

    expect(await drain(job, context)).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(thread.some((line) => line.includes(`Slurm jobs still running: ${slurmJob}`))).toBe(true);
    // Run again, as after a crash: the node is ours and drained, nothing is sent.
    expect(await drain(job, context)).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(backend.updates.map((u) => u.update.state)).toEqual(['DRAIN']);

    const action = await triage(inTriage(job, 'pitstop', true), context);
    expect(action).toMatchObject({ type: 'triaged', result: 'resumed' });
    expect((await context.ports.cluster.status(node)).drain).toBe('none');
  });

  it('keeps a node that failed its checks out with our reason', async () => {
    const node = slurm.nodes[1]!;
    const job = approved(node);
    await drain(job, context);
    const action = await triage(inTriage(job, 'pitstop', false), context);
    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    const status = await context.ports.cluster.status(node);
    expect([status.drain, status.reason]).toEqual([
      'drained',
      `pitstop ${job.id}: health FAIL: gpu-count: 7 of 8 GPUs`,
    ]);
  });

  it("leaves someone else's drain alone, and never resumes that node", async () => {
    const node = slurm.nodes[2]!;
    await harness.drainAsSomeoneElse(node, 'bad DIMM ticket 42');
    const job = approved(node);
    expect(await drain(job, context)).toEqual({ type: 'drained', drainedBy: 'other' });
    expect(await triage(inTriage(job, 'other', true), context)).toMatchObject({
      type: 'triaged',
      result: 'kept_out',
    });
    const status = await context.ports.cluster.status(node);
    expect([status.drain, status.reason]).toEqual(['drained', 'bad DIMM ticket 42']);
    expect(backend.updates).toEqual([]);
  });

  /** `pitstop …` as an operator runs it, against the test cluster. */
  const pitstop = (args: string[]) =>
    execa('node', [new URL('../../bin/pitstop.js', import.meta.url).pathname, ...args], {
      env: slurm.env,
      reject: false,
    });

  // Three CLI start-ups (a second or more each on a loaded host).
  it("never claims or resumes an operator's hold from pitstop node drain; pitstop node resume releases it", {
    timeout: 60_000,
  }, async () => {
    const node = slurm.nodes[3]!;
    const drained = await pitstop(['node', 'drain', node, '--reason', 'bad GPU']);
    expect(drained.exitCode).toBe(0);
    const shown = (await pitstop(['node', 'status', node])).stdout;
    expect(shown).toMatch(/reason: pitstop: bad GPU \(.*\) \[hand hold \(pitstop node drain\)\]/);
    const job = approved(node);

    expect(await drain(job, context)).toEqual({ type: 'drained', drainedBy: 'other' });
    const action = await triage(inTriage(job, 'other', true), context);

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    expect(action.type === 'triaged' && action.reason).toMatch(
      new RegExp(`stays out: .*"pitstop: bad GPU", an operator's hold.*: pitstop node resume ${node}$`),
    );
    expect(await context.ports.cluster.status(node)).toMatchObject({
      drain: 'drained',
      reason: 'pitstop: bad GPU',
    });
    expect(backend.updates).toEqual([]);

    const resumed = await pitstop(['node', 'resume', node]);
    expect(resumed.exitCode).toBe(0);
    expect((await context.ports.cluster.status(node)).drain).toBe('none');
  });

  it("never resumes a node kept out by an earlier job's FAIL, even when the next job passes", async () => {
    const node = slurm.nodes[0]!;
    const earlier = approved(node);
    await drain(earlier, context);
    await triage(inTriage(earlier, 'pitstop', false), context);
    const failed = (await context.ports.cluster.status(node)).reason;
    expect(failed).toMatch(new RegExp(`^pitstop ${earlier.id}: health FAIL`));

    const next = approved(node, 'ocid1.instancemaintenanceevent.oc1.iad.aaaa2');
    expect(await drain(next, context)).toEqual({ type: 'drained', drainedBy: 'other' });
    const action = await triage(inTriage(next, 'other', true), context);

    expect(action).toMatchObject({ type: 'triaged', result: 'kept_out' });
    expect(action.type === 'triaged' && action.reason).toContain(`held for job ${earlier.id}`);
    expect(await context.ports.cluster.status(node)).toMatchObject({ drain: 'drained', reason: failed });
    expect(backend.updates.map((u) => u.update.state)).toEqual(['DRAIN', 'DRAIN']);
  });

  it('two events on one node: the first passes and hands the drain over; the second drains nothing new and resumes at the end', async () => {
    const node = slurm.nodes[1]!;
    const first = approved(node);
    const second = approved(node, 'ocid1.instancemaintenanceevent.oc1.iad.aaaa2');
    await drain(first, context);
    const handed = await triage(inTriage(first, 'pitstop', true), {
      ...context,
      otherJobsOnNode: () => [second],
    });

    expect(handed).toMatchObject({ type: 'triaged', result: 'kept_out' });
    const status = await context.ports.cluster.status(node);
    expect([status.drain, status.reason]).toEqual([
      'drained',
      expect.stringMatching(`^pitstop ${second.id}: `),
    ]);

    expect(await drain(second, context)).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(await triage(inTriage(second, 'pitstop', true), context)).toMatchObject({ result: 'resumed' });
    expect((await context.ports.cluster.status(node)).drain).toBe('none');
    expect(backend.updates.map((u) => u.update.state)).toEqual(['DRAIN', 'DRAIN', 'RESUME']);
  });

  it('near the hard due date: warns naming the real Slurm job, then at the due date leaves the node draining for OCI', async () => {
    const node = slurm.nodes[2]!;
    const slurmJob = await harness.runSlurmJob(node, 600);
    const due = new Date(Date.now() + 4_000);
    let job = transition(
      newJob(sampleEvent({ timeHardDueDate: due.toISOString() }), new Date(), node),
      { type: 'approve', by: 'U1', via: 'cli' },
      new Date(),
    );
    const nearDue = { ...context, settings: { ...context.settings, dueWarningMs: 86_400_000 } };

    const warned = await drain(job, nearDue);
    expect(warned).toEqual({
      type: 'due_warned',
      slurmJobs: [expect.objectContaining({ id: slurmJob, user: userInfo().username, name: 'contract' })],
    });
    job = transition(job, warned, new Date());

    expect(await drain(job, nearDue)).toEqual({ type: 'drain_cut_short', dueDateReached: true });
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
    // Drained (no new Slurm job lands) with the Slurm job still running: OCI's maintenance ends it.
    expect(await context.ports.cluster.status(node)).toMatchObject({ drain: 'draining' });
    expect((await context.ports.cluster.slurmJobsOn(node)).map((j) => j.id)).toEqual([slurmJob]);
    expect(backend.updates.map((u) => u.update.state)).toEqual(['DRAIN']);
  }, 60_000);
});
