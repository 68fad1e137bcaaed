import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/job.js';
import { createLogger } from '../../src/log.js';
import { listenOnSocket, requestOverSocket } from '../../src/orchestrator/control-socket.js';
import { controlServer } from '../../src/orchestrator/http.js';
import { JobStore } from '../../src/store/job-store.js';
import { type OrchestratorRig, orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, START, startPipeline } from '../support/pipeline.js';

const HOUR = 3_600_000;
const { id: eventId, node } = EVENTS.flex;
const DUE = new Date(START.getTime() + 5 * HOUR);

let pipeline: Pipeline;
let stateFile: string;
const rigs: OrchestratorRig[] = [];

afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => {});
  await pipeline.stop();
});

/** gpu-1's event is due 5 h from the start (OCI's window too), and a Slurm job there never ends. */
async function start(options: Parameters<typeof orchestratorOver>[2] = {}) {
  pipeline = await startPipeline({ dueAt: { [eventId]: DUE } });
  stateFile = tempStateFile();
  const slurmJob = pipeline.slurm.submit(node, { durationMs: 48 * HOUR, user: 'alice', name: 'llm' });
  return { slurmJob, ...(await rig(options)) };
}

async function rig(options: Parameters<typeof orchestratorOver>[2] = {}) {
  const made = await orchestratorOver(pipeline, stateFile, options);
  rigs.push(made);
  return made;
}

async function audit(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(stateFile, '..', 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const transitions = async (type: string) =>
  (await audit()).filter((r) => r.type === 'transition' && (r.action as { type: string }).type === type);

const finished = async () =>
  (await audit()).find((r) => r.type === 'finished' && r.eventId === eventId) as
    | { outcome: string; job: Record<string, unknown> }
    | undefined;

const eventUpdates = () =>
  pipeline.oci.sim.requests.filter((r) => r.operation === 'updateInstanceMaintenanceEvent');

describe('orchestrator: the hard due date', () => {
  it('with no decision, warns once, leaves the job to OCI at the due date and follows it to the end', async () => {
    const { orchestrator, slurmJob } = await start();
    await orchestrator.sweep();
    await orchestrator.approve(node, 'U1', 'cli');
    await orchestrator.idle();

    const warned = await transitions('due_warned');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      from: 'draining',
      to: 'draining',
      action: { slurmJobs: [expect.objectContaining({ id: slurmJob, user: 'alice', name: 'llm' })] },
    });
    expect(await transitions('drain_cut_short')).toEqual([
      expect.objectContaining({ from: 'draining', to: 'scheduling', at: DUE.toISOString() }),
    ]);
    const done = await finished();
    expect(done?.outcome).toBe('returned');
    expect(done?.job.dueDecision).toMatchObject({ choice: 'leave_to_oci', by: 'DUE_DATE' });
    // Only bookkeeping's tag: the window was never moved.
    expect(eventUpdates()).toHaveLength(1);
  });

  it('says the warning once only, across a restart while the drain waits after it', async () => {
    const first = await start();
    let stopping: Promise<void> | undefined;
    first.notifier.onLine((line) => {
      if (line === 'draining → draining') stopping ??= first.close();
    });
    await first.orchestrator.sweep();
    await first.orchestrator.approve(node, 'U1', 'cli');
    await first.orchestrator.idle();
    await stopping;
    expect(Object.values((await JobStore.read(stateFile)).jobs)[0]?.dueWarning).toBeDefined();

    const second = await rig();
    await second.orchestrator.start();
    await second.orchestrator.idle();
    expect(await transitions('due_warned')).toHaveLength(1);
    expect((await finished())?.outcome).toBe('returned');
  });

  it('takes a proceed at the warning into the running drain at once: the window moves to now, before the due date', async () => {
    const { orchestrator, notifier } = await start();
    let decidedAt: Date | undefined;
    let cutAt: Date | undefined;
    notifier.onLine((line) => {
      if (line === 'draining → draining' && !decidedAt) {
        decidedAt = pipeline.clock.now();
        void orchestrator.decideDue(node, 'proceed', 'U0ALICE', 'slack');
      }
      if (line === 'draining → scheduling') cutAt ??= pipeline.clock.now();
    });
    await orchestrator.sweep();
    await orchestrator.approve(node, 'U1', 'cli');
    await orchestrator.idle();

    expect(cutAt).toEqual(decidedAt);
    expect(cutAt!.getTime()).toBeLessThan(DUE.getTime());
    expect(await transitions('due_decided')).toEqual([
      expect.objectContaining({
        action: { type: 'due_decided', choice: 'proceed', by: 'U0ALICE', via: 'slack' },
      }),
    ]);
    const done = await finished();
    expect(done?.outcome).toBe('returned');
    expect(done?.job.dueDecision).toMatchObject({ choice: 'proceed', by: 'U0ALICE' });
    expect(done?.job.workRequestId).toBeTruthy();
    expect(pipeline.slurmUpdates.map((u) => u.update.state)).toEqual(['DRAIN', 'RESUME']);
  });

  it('refuses a decision for a job not in drain, and a second decision, saying why', async () => {
    const { orchestrator, store } = await start();
    await orchestrator.sweep();
    await expect(orchestrator.decideDue(node, 'proceed', 'U1', 'cli')).rejects.toThrow(
      /cannot due_decided in phase awaiting_approval: the job is not approved yet/,
    );
    // Approved while paused: draining, but no worker runs it.
    await orchestrator.pause('U1', 'test');
    await orchestrator.approve(node, 'U1', 'cli');
    await orchestrator.decideDue(node, 'leave_to_oci', 'U1', 'cli');
    const second = orchestrator.decideDue(eventId, 'proceed', 'U2', 'slack');
    await expect(second).rejects.toThrow(IllegalTransitionError);
    await expect(second).rejects.toThrow(/already decided: U1 chose to let OCI act at its own time/);
    expect(store.findByEvent(eventId)?.dueDecision).toMatchObject({ choice: 'leave_to_oci', by: 'U1' });
  });

  it('in DRY_RUN records a decision and changes nothing in Slurm or OCI', async () => {
    const { orchestrator, store } = await start({ dryRun: true });
    await orchestrator.sweep();
    await orchestrator.approve(node, 'U1', 'cli');
    await orchestrator.decideDue(node, 'proceed', 'U1', 'cli');
    await orchestrator.idle();
    expect(store.findByEvent(eventId)).toMatchObject({
      phase: 'draining',
      dueDecision: { choice: 'proceed' },
    });
    expect(pipeline.slurmUpdates).toEqual([]);
    expect(eventUpdates()).toEqual([]);
  });

  it('takes proceed and leave-to-oci on the control socket, by reference, as the CLI sends them', async () => {
    const { orchestrator, store } = await start();
    const control = controlServer(orchestrator, createLogger('silent'));
    const socket = `${stateFile}.sock`;
    await listenOnSocket(control, socket);
    try {
      const post = async (path: string, body: unknown) => {
        const answer = await requestOverSocket(
          socket,
          path,
          JSON.stringify(body),
          { 'content-type': 'application/json' },
          5_000,
        );
        return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
      };
      await orchestrator.sweep();
      expect((await post('/control/proceed', { ref: node, by: 'cli:ann' })).status).toBe(409);
      await orchestrator.pause('U1', 'test');
      await orchestrator.approve(node, 'U1', 'cli');
      const left = await post('/control/leave-to-oci', { ref: node, by: 'cli:ann' });
      expect(left).toMatchObject({ status: 200, body: { ok: true, job: { eventId, phase: 'draining' } } });
      expect(store.findByEvent(eventId)?.dueDecision).toMatchObject({
        choice: 'leave_to_oci',
        by: 'cli:ann via control socket',
        via: 'cli',
      });
      const again = await post('/control/proceed', { ref: eventId, by: 'cli:bob' });
      expect(again).toMatchObject({ status: 409, body: { ok: false } });
      expect(String(again.body.error)).toMatch(/already decided/);
    } finally {
      control.close();
    }
  });
});
