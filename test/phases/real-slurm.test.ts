/**
 * The drain and triage phases against a real Slurm (Debian's slurmctld/slurmd, started here).
 * Under CI=true a missing Slurm fails these tests; elsewhere they are skipped with the reason.
 */
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

const unavailable = slurmUnavailableReason();
const mustRun = process.env.CI === 'true';
if (unavailable && !mustRun) console.warn(`skipping the phases against real Slurm: ${unavailable}`);

/** Drain and triage use only Slurm; a call to another port would be a bug in the phase. */
const notUsed = (port: string) =>
  new Proxy(
    {},
    { get: (_, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not for this phase`)) },
  );

describe.skipIf(unavailable !== null && !mustRun)('drain and triage against real Slurm', () => {
  let slurm: RunningCluster;
  let harness: ClusterHarness;
  let backend: RecordingBackend;
  let context: PhaseContext;
  const thread: string[] = [];

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI needs a real Slurm for these tests: ${unavailable}`);
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

  const approved = (node: string) =>
    transition(
      newJob(sampleEvent(), new Date(), node),
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
      'pitstop: health FAIL: gpu-count: 7 of 8 GPUs',
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
});
