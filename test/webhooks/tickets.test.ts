import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { jobIdFor, Phase, retryTokenFor } from '../../src/domain/job.js';
import { createLogger } from '../../src/log.js';
import { scanAudit } from '../../src/store/audit-reader.js';
import { httpWebhooks } from '../../src/webhooks/http-webhooks.js';
import {
  capturingLogger,
  type OrchestratorRig,
  orchestratorOver,
  tempStateFile,
} from '../support/orchestrator.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** A job that went the whole way spent time in every phase but `done`. */
const EVERY_PHASE = Phase.options.filter((phase) => phase !== 'done');

let pipeline: Pipeline;
let tickets: WebhookReceiver;
let cmdb: WebhookReceiver;
let stateFile: string;
const logged = capturingLogger();
const rigs: OrchestratorRig[] = [];

beforeEach(async () => {
  tickets = await WebhookReceiver.start('/hooks/T000/B000/s3cr3t-token');
  cmdb = await WebhookReceiver.start('/cmdb/jobs?token=s3cr3t-token');
  pipeline = await startPipeline({
    webhooks: (clock) =>
      httpWebhooks(
        loadConfig({ TICKET_WEBHOOK_URL: tickets.url, BOOKKEEPING_WEBHOOK_URL: cmdb.url }).pipeline,
        { clock, log: logged.log },
      ),
  });
  stateFile = tempStateFile();
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => {});
  await pipeline.stop();
  await tickets.stop();
  await cmdb.stop();
});

async function rig() {
  const made = await orchestratorOver(pipeline, stateFile, {}, createLogger('silent'));
  rigs.push(made);
  return made;
}

/** A sweep, then these nodes' events approved and run to the end. */
async function runApproved(...nodes: string[]) {
  const made = await rig();
  await made.orchestrator.sweep();
  for (const node of nodes) await made.orchestrator.approve(node, 'U123', 'cli');
  await made.orchestrator.idle();
  return made;
}

const auditFile = () => join(stateFile, '..', 'audit.jsonl');
const finishedJob = async (eventId: string) => {
  const [record] = await scanAudit(
    auditFile(),
    (r) =>
      (r as { type?: string; eventId?: string }).type === 'finished' &&
      (r as { eventId?: string }).eventId === eventId,
  );
  return (record as { job: Record<string, unknown> } | undefined)?.job;
};

const failingGpus = () =>
  pipeline.standins.answer('nvidia-smi', {
    '-q': { fixture: 'nvidia-smi/q_a10_1gpu_drv535_remapped-rows-pending.txt' },
    'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
  });

describe('TICKET_WEBHOOK_URL and BOOKKEEPING_WEBHOOK_URL through the orchestrator', () => {
  it('opens one ticket for a node that FAILED its checks, with every reason; the ticket goes into the job and the thread', async () => {
    await failingGpus();
    const { notifier } = await runApproved('gpu-1');

    const jobId = jobIdFor(EVENTS.flex.id);
    expect(tickets.received).toHaveLength(1);
    const [request] = tickets.received;
    expect(request!.idempotencyKey).toBe(retryTokenFor({ id: jobId, eventId: EVENTS.flex.id }, 'ticket'));
    const job = await finishedJob(EVENTS.flex.id);
    const verdict = job!.verdict as { reasons: string[]; action: string };
    expect(request!.body).toMatchObject({
      kind: 'pitstop.ticket',
      jobId,
      node: 'gpu-1',
      instanceId: pipeline.oci.sim.fleet.event(EVENTS.flex.id).instanceId,
      event: {
        id: EVENTS.flex.id,
        faults: [{ faultId: 'HPCRDMA-0002-02', summary: 'RDMA link flapping' }],
        maintenanceState: 'SUCCEEDED',
      },
      verdict: { status: 'FAIL', reasons: verdict.reasons, recommendedAction: verdict.action },
      thread: { channel: 'C0PITSTOP' },
    });
    expect(verdict.reasons.length).toBeGreaterThan(0);
    expect((request!.body as { keptOut: string }).keptOut).toMatch(/^gpu-1 kept out \(DRAIN\); health FAIL/);

    expect(job).toMatchObject({
      outcome: 'kept_out',
      ticket: { opened: true, id: 'OPS-1', url: `${tickets.origin}/browse/OPS-1` },
    });
    expect(notifier.thread(EVENTS.flex.id)).toContain('bookkeeping → bookkeeping');
    expect((await pipeline.cluster.status('gpu-1')).drain).not.toBe('none');
    // Only the origin is logged: the path holds the secret.
    const lines = JSON.stringify(logged.lines);
    expect(lines).toContain(`${tickets.origin} took it (201)`);
    expect(lines).not.toContain('s3cr3t');
  });

  it('opens a ticket when OCI says the maintenance FAILED, and none for a node that returned', async () => {
    await runApproved('gpu-3', 'gpu-1');

    expect(tickets.received.map((r) => (r.body as { node: string }).node)).toEqual(['gpu-3']);
    expect(tickets.received[0]!.body).toMatchObject({ event: { maintenanceState: 'FAILED' } });
    expect((tickets.received[0]!.body as Record<string, unknown>).verdict).toBeUndefined();
    expect(await finishedJob(EVENTS.flex.id)).toMatchObject({ outcome: 'returned' });
    expect((await finishedJob(EVENTS.flex.id))!.ticket).toBeUndefined();
  });

  it('sends again after a restart with the same key, and the ticket system opens one ticket', async () => {
    await failingGpus();
    // The ticket is opened, but Pitstop stops before the answer arrives (a crash, a deploy).
    tickets.script = (index, request) => {
      if (index > 0) return undefined;
      tickets.open(request);
      return 'hang';
    };
    const first = await rig();
    await first.orchestrator.sweep();
    await first.orchestrator.approve('gpu-1', 'U123', 'cli');
    await vi.waitFor(() => expect(tickets.received).toHaveLength(1), { timeout: 20_000, interval: 50 });
    await first.close();
    expect(first.store.get(jobIdFor(EVENTS.flex.id))).toMatchObject({ phase: 'bookkeeping' });

    const second = await rig();
    await second.orchestrator.start();
    await second.orchestrator.idle();

    expect(tickets.received).toHaveLength(2);
    expect(new Set(tickets.received.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(tickets.tickets.size).toBe(1);
    expect(await finishedJob(EVENTS.flex.id)).toMatchObject({ ticket: { opened: true, id: 'OPS-1' } });
    // Once the job records its ticket, nothing is sent again.
    expect(
      second.notifier.thread(EVENTS.flex.id).filter((l) => l === 'bookkeeping → bookkeeping'),
    ).toHaveLength(1);
  });

  it('keeps the node out and goes on when the webhook refuses for good, saying so in the thread and the log', async () => {
    await failingGpus();
    tickets.script = () => ({ status: 400, json: { message: 'unknown project' } });
    const { notifier } = await runApproved('gpu-1');

    const job = await finishedJob(EVENTS.flex.id);
    expect(job).toMatchObject({
      outcome: 'kept_out',
      ticket: {
        opened: false,
        error: `${tickets.origin} answered 400: {"message":"unknown project"}; not retried (the receiver refuses this request as it is)`,
      },
    });
    expect(tickets.received).toHaveLength(1);
    expect((await pipeline.cluster.status('gpu-1')).drain).not.toBe('none');
    expect(notifier.thread(EVENTS.flex.id).at(-1)).toBe('bookkeeping → done');
    expect(logged.lines).toContainEqual(
      expect.objectContaining({ level: 40, purpose: 'ticket', target: tickets.origin, jobId: job!.id }),
    );
  });

  it("posts every finished job's record to the bookkeeping webhook, with its own key", async () => {
    await runApproved('gpu-1');

    const jobId = jobIdFor(EVENTS.flex.id);
    expect(cmdb.received).toHaveLength(1);
    const [record] = cmdb.received;
    expect(record!.idempotencyKey).toBe(retryTokenFor({ id: jobId, eventId: EVENTS.flex.id }, 'bookkeeping'));
    const body = record!.body as { phases: { phase: string; start: string; end?: string }[] };
    expect(body).toMatchObject({
      kind: 'pitstop.finished',
      jobId,
      eventId: EVENTS.flex.id,
      node: 'gpu-1',
      outcome: 'returned',
      approval: { by: 'U123', via: 'cli', decision: 'approved' },
    });
    expect(body.phases.map((p) => p.phase)).toEqual(EVERY_PHASE);
    expect(body.phases.every((p) => p.end !== undefined && p.start <= p.end)).toBe(true);
    const finished = await finishedJob(EVENTS.flex.id);
    expect(body.phases.at(-1)!.end! <= (finished!.updatedAt as string)).toBe(true);
  });
});
