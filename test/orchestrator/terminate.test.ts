import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { createLogger } from '../../src/log.js';
import { TERMINATE_PATH } from '../../src/orchestrator/control.js';
import { listenOnSocket, requestOverSocket } from '../../src/orchestrator/control-socket.js';
import { controlServer } from '../../src/orchestrator/http.js';
import { TERMINATE_OFF } from '../../src/orchestrator/terminate.js';
import { keptOutJob } from '../support/kept-out.js';
import { type OrchestratorRig, orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, POOL, SECOND_ON_GPU1, startPipeline } from '../support/pipeline.js';

const { flex } = EVENTS;

let pipeline: Pipeline;
let rig: OrchestratorRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await pipeline?.stop();
});

async function setUp(options: { enabled?: boolean; pooled?: string[]; secondOnGpu1?: boolean } = {}) {
  pipeline = await startPipeline({ pooled: options.pooled, secondOnGpu1: options.secondOnGpu1 });
  const stateFile = tempStateFile();
  rig = await orchestratorOver(pipeline, stateFile, { triageTerminate: options.enabled ?? true });
  const job = await keptOutJob(
    rig.store,
    { cloud: pipeline.oci.cloud, cluster: pipeline.cluster, clock: pipeline.clock },
    flex.id,
    flex.node,
  );
  return { stateFile, job };
}

/** Both people asked and the call to OCI began, then the process died: the record a crash leaves. */
async function interruptedCall(job: MaintenanceJob) {
  const at = pipeline.clock.now().toISOString();
  await rig!.store.setTermination({
    jobId: job.id,
    eventId: job.eventId,
    node: flex.node,
    instanceId: job.event.instanceId,
    state: 'calling',
    requests: [
      { by: 'U0ALICE', via: 'slack', at },
      { by: 'U0BOB', via: 'slack', at },
    ],
  });
}

const terminateCalls = () => pipeline.oci.sim.count('terminateInstance');
const instanceState = async (job: MaintenanceJob) =>
  (await pipeline.oci.cloud.getInstance(job.event.instanceId)).lifecycleState;
async function audit(type: string) {
  const text = await readFile(rig!.store.auditFile, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.type === type);
}

describe('terminate, two-person rule', () => {
  it('with TRIAGE_TERMINATE off does nothing and says how to turn it on', async () => {
    await setUp({ enabled: false });
    const answer = await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    expect(answer).toEqual({ ok: false, message: TERMINATE_OFF });
    expect(answer.message).toContain('TRIAGE_TERMINATE=true');
    expect(await audit('terminate_requested')).toEqual([]);
    expect(terminateCalls()).toBe(0);
  });

  it('records the first request, ignores the same person twice, and the second person terminates it once', async () => {
    const { job } = await setUp();
    const first = await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    expect(first.ok).toBe(true);
    expect(first.message).toContain('waits for a second approver other than you');
    expect(rig!.store.termination(job.id)).toMatchObject({
      state: 'waiting',
      requests: [{ by: 'cli:alice' }],
    });
    expect(rig!.notifier.thread(flex.id).at(-1)).toMatch(
      /cli:alice asks to terminate instance .* waits for a second approver other than cli:alice/,
    );

    const again = await rig!.orchestrator.terminate(flex.id, 'cli:alice', 'cli');
    expect(again.ok).toBe(false);
    expect(again.message).toContain('You already asked');
    expect(terminateCalls()).toBe(0);
    expect(await instanceState(job)).toBe('RUNNING');

    const second = await rig!.orchestrator.terminate(flex.node, 'cli:bob', 'cli');
    expect(second).toMatchObject({ ok: true, job: { id: job.id } });
    expect(second.message).toContain('is terminating at OCI (asked by cli:alice and cli:bob)');
    expect(terminateCalls()).toBe(1);
    expect(await instanceState(job)).toBe('TERMINATING');
    expect(rig!.store.termination(job.id)).toMatchObject({ state: 'terminated' });
    // The node stays out in Slurm: Pitstop never resumes a node whose instance is gone.
    expect((await pipeline.cluster.status(flex.node)).drain).toBe('drained');
    expect((await audit('terminate_requested')).map((r) => r.by)).toEqual(['cli:alice', 'cli:bob']);
    expect(await audit('terminated')).toEqual([
      expect.objectContaining({
        by: 'cli:alice and cli:bob',
        jobId: job.id,
        instanceId: job.event.instanceId,
      }),
    ]);

    const later = await rig!.orchestrator.terminate(flex.node, 'cli:carol', 'cli');
    expect(later.message).toContain('was already terminated');
    expect(terminateCalls()).toBe(1);
  });

  it('keeps the first request across a restart; the second after it performs the terminate', async () => {
    const { stateFile, job } = await setUp();
    await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    await rig!.close();
    rig = await orchestratorOver(pipeline, stateFile, { triageTerminate: true });
    expect(rig.store.termination(job.id)?.requests.map((r) => r.by)).toEqual(['cli:alice']);
    expect((await rig.orchestrator.terminate(flex.node, 'cli:bob', 'cli')).ok).toBe(true);
    expect(terminateCalls()).toBe(1);
  });

  it('after a crash between the call and its record, reads the instance and never terminates twice', async () => {
    const { stateFile, job } = await setUp();
    const requests = [
      { by: 'U0ALICE', via: 'slack' as const, at: pipeline.clock.now().toISOString() },
      { by: 'U0BOB', via: 'slack' as const, at: pipeline.clock.now().toISOString() },
    ];
    const base = { jobId: job.id, eventId: job.eventId, node: flex.node, instanceId: job.event.instanceId };
    // What a crash right after OCI took the call leaves: `calling` recorded, the call made.
    await rig!.store.setTermination({ ...base, state: 'calling', requests });
    await pipeline.oci.cloud.terminateInstance(job.event.instanceId);
    await rig!.close();
    rig = await orchestratorOver(pipeline, stateFile, { triageTerminate: true });

    const answer = await rig.orchestrator.terminate(flex.node, 'U0ALICE', 'slack');
    expect(answer.ok).toBe(true);
    expect(answer.message).toContain('already TERMINATING at OCI');
    expect(answer.message).toContain('no second terminate was sent');
    expect(terminateCalls()).toBe(1);
    expect(rig.store.termination(job.id)).toMatchObject({ state: 'terminated' });
    expect(await audit('terminated')).toEqual([expect.objectContaining({ alreadyAtOci: 'TERMINATING' })]);
  });

  it('after a crash before the call reached OCI, calls it once', async () => {
    const { job } = await setUp();
    await interruptedCall(job);
    expect((await rig!.orchestrator.terminate(flex.node, 'U0BOB', 'slack')).ok).toBe(true);
    expect(terminateCalls()).toBe(1);
    expect(await instanceState(job)).toBe('TERMINATING');
  });

  it('refuses when the node is back in service, audits it, and needs two people again', async () => {
    const { job } = await setUp();
    await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    // An operator put the node back by hand meanwhile.
    expect((await pipeline.cluster.resume(flex.node, { force: true })).resumed).toBe(true);
    const answer = await rig!.orchestrator.terminate(flex.node, 'cli:bob', 'cli');
    expect(answer.ok).toBe(false);
    expect(answer.message).toContain(`${flex.node} is back in service`);
    expect(terminateCalls()).toBe(0);
    expect(await instanceState(job)).toBe('RUNNING');
    expect(await audit('terminate_refused')).toEqual([
      expect.objectContaining({ by: 'cli:bob', why: expect.stringContaining('back in service') }),
    ]);
    expect(rig!.store.termination(job.id)).toMatchObject({ state: 'waiting', requests: [] });
    expect(rig!.notifier.thread(flex.id).at(-1)).toContain('Asking again needs two people again');
  });

  it("shows OCI's refusal of an instance pool member unchanged, and terminates nothing", async () => {
    const { job } = await setUp({ pooled: [flex.node] });
    await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    const answer = await rig!.orchestrator.terminate(flex.node, 'cli:bob', 'cli');
    expect(answer.ok).toBe(false);
    const oci = `409 Conflict: Instance ${job.event.instanceId} belongs to instance pool ${POOL} and cannot be terminated directly; detach it from the instance pool first.`;
    expect(answer.message).toContain(oci);
    expect(rig!.notifier.thread(flex.id).at(-1)).toContain(oci);
    expect(await audit('terminate_refused')).toEqual([
      expect.objectContaining({ error: expect.stringContaining(oci) }),
    ]);
    expect(await instanceState(job)).toBe('RUNNING');
    expect(rig!.store.termination(job.id)).toMatchObject({ state: 'waiting', requests: [] });
  });

  it('refuses a job that did not keep a failed node out', async () => {
    pipeline = await startPipeline();
    rig = await orchestratorOver(pipeline, tempStateFile(), { triageTerminate: true });
    await rig.orchestrator.sweep();
    await rig.orchestrator.deny(flex.id, 'U0ALICE', 'slack', 'not now');
    const answer = await rig.orchestrator.terminate(flex.id, 'cli:alice', 'cli');
    expect(answer.ok).toBe(false);
    expect(answer.message).toContain('did not keep gpu-1 out (it ended denied)');
    expect(await audit('terminate_refused')).toHaveLength(1);
    expect(terminateCalls()).toBe(0);
  });

  it("through serve's control socket, takes the `by` sent as the person: the same one asking again does nothing", async () => {
    const { stateFile, job } = await setUp();
    const control = controlServer(rig!.orchestrator, createLogger('silent'));
    const socket = `${stateFile}.sock`;
    await listenOnSocket(control, socket);
    try {
      const post = async (by: string) => {
        const answer = await requestOverSocket(
          socket,
          TERMINATE_PATH,
          JSON.stringify({ ref: flex.node, by }),
          { 'content-type': 'application/json' },
          5_000,
        );
        return { status: answer.status, body: JSON.parse(answer.body) as { ok: boolean; message: string } };
      };
      expect(await post('cli:alice')).toMatchObject({ status: 200, body: { ok: true } });
      // The same person without the socket (a CLI with no serve would ask the store directly).
      const again = await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
      expect(again.message).toContain('You already asked');
      expect(await post('cli:alice')).toMatchObject({ status: 409, body: { ok: false } });
      expect(terminateCalls()).toBe(0);
      expect(await post('cli:bob')).toMatchObject({ status: 200, body: { ok: true } });
      expect(await instanceState(job)).toBe('TERMINATING');
    } finally {
      control.close();
    }
  });

  it('by node, finds the job that kept it out failed, not a later event on it still awaiting approval', async () => {
    const { job } = await setUp({ secondOnGpu1: true });
    pipeline.clock.advance(60_000);
    await rig!.orchestrator.sweep();
    const later = rig!.store.findByEvent(SECOND_ON_GPU1.id);
    expect(later).toMatchObject({ node: flex.node, phase: 'awaiting_approval' });
    const answer = await rig!.orchestrator.terminate(flex.node, 'cli:alice', 'cli');
    expect(answer).toMatchObject({ ok: true, job: { id: job.id } });
    expect(rig!.store.termination(later!.id)).toBeUndefined();
  });

  it('settles at start a terminate a crash interrupted after its call: recorded, said, never sent again', async () => {
    const { stateFile, job } = await setUp();
    await interruptedCall(job);
    await pipeline.oci.cloud.terminateInstance(job.event.instanceId);
    await rig!.close();
    rig = await orchestratorOver(pipeline, stateFile, { triageTerminate: true });
    await rig.orchestrator.start();
    expect(rig.store.termination(job.id)).toMatchObject({ state: 'terminated' });
    expect(rig.notifier.thread(flex.id).some((line) => line.includes('already TERMINATING at OCI'))).toBe(
      true,
    );
    expect(terminateCalls()).toBe(1);
  });
});
