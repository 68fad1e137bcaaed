import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { controlServer, listen } from '../../src/orchestrator/http.js';
import { TENANCY } from '../oci/sim-fixture.js';
import {
  capturingLogger,
  type OrchestratorRig,
  orchestratorOver,
  tempStateFile,
} from '../support/orchestrator.js';
import { EVENTS, LAB_COMPARTMENT, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
let rig: OrchestratorRig;
let server: Server;
let base: string;

beforeEach(async () => {
  pipeline = await startPipeline();
  rig = await orchestratorOver(pipeline, tempStateFile());
  server = controlServer(rig.orchestrator, createLogger('silent'));
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterEach(async () => {
  server.close();
  await rig.close();
  await pipeline.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }));

describe('serve HTTP: /healthz and /control', () => {
  it('answers 503 until started with a sweep that worked, then 200 with the status', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    await rig.orchestrator.start();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ started: true, lastSweep: { ok: true, discovered: 4 } });
  });

  it('answers 503, saying why, when the last sweep failed', async () => {
    pipeline.oci.sim.fleet.deny(TENANCY);
    await rig.orchestrator.start();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ started: true, lastSweep: { ok: false } });
    expect(rig.orchestrator.status().lastSweep?.error).toMatch(/NotAuthorizedOrNotFound|policy/i);
  });

  it('answers 200 after a partial sweep, listing what it could not read as degraded, and warns in the log', async () => {
    await rig.close();
    const { log, lines } = capturingLogger();
    rig = await orchestratorOver(pipeline, tempStateFile(), {}, log);
    server.close();
    server = controlServer(rig.orchestrator, createLogger('silent'));
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    pipeline.oci.sim.fleet.deny(LAB_COMPARTMENT);

    await rig.orchestrator.start();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      lastSweep: { ok: true, discovered: 4 },
      degraded: [{ kind: 'compartment', id: LAB_COMPARTMENT, error: expect.stringMatching(/NotAuthorized/) }],
    });
    const warning = lines.find((l) => l.level === 40 && String(l.msg).startsWith('partial sweep'));
    expect(warning).toMatchObject({ component: 'discovery', compartments: [LAB_COMPARTMENT] });

    // Readable again: the next sweep is whole, and /healthz says so.
    pipeline.oci.sim.fleet.allow(LAB_COMPARTMENT);
    await rig.orchestrator.sweep();
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ degraded: [] });
  });

  it('decides by reference, refusing bad bodies, unknown references and decisions not allowed now', async () => {
    // gpu-1's instance maps to no Slurm node: its job exists but cannot be approved yet.
    pipeline.oci.sim.fleet.instance(pipeline.oci.sim.fleet.event(EVENTS.flex.id).instanceId).displayName =
      'nowhere';
    await rig.orchestrator.sweep();
    const denied = await post('/control/deny', { ref: 'gpu-2', by: 'cli:ann', reason: 'busy' });
    expect(denied).toMatchObject({
      status: 200,
      body: { ok: true, job: { eventId: EVENTS.broken.id, outcome: 'denied' } },
    });
    expect((await post('/control/approve', { ref: 'gpu-2', by: 'cli:ann' })).status).toBe(404);
    expect((await post('/control/approve', { ref: EVENTS.failing.id })).status).toBe(400);
    const unmapped = await post('/control/approve', { ref: EVENTS.flex.id, by: 'cli:ann' });
    expect(unmapped).toMatchObject({ status: 409, body: { ok: false } });
    expect(String(unmapped.body.error)).toMatch(/not mapped to a Slurm node/);
  });
});
