import { mkdtempSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { checkSocketPath, listenOnSocket, requestOverSocket } from '../../src/orchestrator/control-socket.js';
import { controlServer, healthServer, listen } from '../../src/orchestrator/http.js';
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
let health: Server;
let control: Server;
let base: string;
let socket: string;

beforeEach(async () => {
  pipeline = await startPipeline();
  const stateFile = tempStateFile();
  rig = await orchestratorOver(pipeline, stateFile);
  health = healthServer(rig.orchestrator, createLogger('silent'));
  base = `http://127.0.0.1:${await listen(health, 0)}`;
  control = controlServer(rig.orchestrator, createLogger('silent'));
  socket = `${stateFile}.sock`;
  await listenOnSocket(control, socket);
});
afterEach(async () => {
  health.close();
  control.close();
  await rig.close();
  await pipeline.stop();
});

const LISTEN_AND_SAY_SO =
  "require('node:net').createServer().listen(process.argv[1], () => console.log('listening'))";

const JSON_TYPE = { 'content-type': 'application/json' };

const post = async (path: string, body: unknown, headers: Record<string, string> = JSON_TYPE) => {
  const answer = await requestOverSocket(socket, path, JSON.stringify(body), headers, 5_000);
  return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
};

describe('serve HTTP: /healthz on PORT', () => {
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

  it('never takes a decision on PORT: /control/* there is 404 and decides nothing', async () => {
    await rig.orchestrator.sweep();
    for (const path of ['/control/approve', '/control/deny', '/control/pause', '/control/unpause']) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify({ ref: 'gpu-2', by: 'cli:mallory', reason: 'x' }),
      });
      expect(response.status).toBe(404);
    }
    expect(rig.store.list().map((job) => job.phase)).toEqual(Array(4).fill('awaiting_approval'));
    expect(rig.orchestrator.paused()).toBeUndefined();
  });

  it('answers 200 after a partial sweep, listing what it could not read as degraded, and warns in the log', async () => {
    await rig.close();
    const { log, lines } = capturingLogger();
    rig = await orchestratorOver(pipeline, tempStateFile(), {}, log);
    health.close();
    health = healthServer(rig.orchestrator, createLogger('silent'));
    base = `http://127.0.0.1:${await listen(health, 0)}`;
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
});

describe('serve HTTP: decisions on the control socket', () => {
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

  it('pauses and unpauses, refusing a body without `by`, and answers the pause after', async () => {
    expect((await post('/control/pause', { reason: 'no by' })).status).toBe(400);
    expect(rig.orchestrator.paused()).toBeUndefined();
    const paused = await post('/control/pause', { by: 'cli:ann', reason: 'freeze' });
    expect(paused).toMatchObject({
      status: 200,
      body: { ok: true, paused: { by: 'cli:ann via control socket', reason: 'freeze' } },
    });
    expect(rig.orchestrator.paused()).toMatchObject({ by: 'cli:ann via control socket' });
    expect(await post('/control/unpause', { by: 'cli:ann' })).toMatchObject({
      status: 200,
      body: { ok: true, paused: null },
    });
    expect(rig.orchestrator.paused()).toBeUndefined();
  });

  it('records the caller as the `by` it sent, via the control socket', async () => {
    await rig.orchestrator.sweep();
    await post('/control/approve', { ref: 'gpu-3', by: 'cli:ann' });
    expect(rig.store.findByEvent(EVENTS.failing.id)?.approval).toMatchObject({
      by: 'cli:ann via control socket',
      via: 'cli',
    });
  });

  it('takes only Content-Type: application/json (415 otherwise) and decides nothing then', async () => {
    await rig.orchestrator.sweep();
    const body = { ref: 'gpu-2', by: 'cli:ann', reason: 'busy' };
    expect((await post('/control/deny', body, {})).status).toBe(415);
    const form = await post('/control/deny', body, { 'content-type': 'text/plain' });
    expect(form).toMatchObject({ status: 415, body: { error: expect.stringMatching(/application\/json/) } });
    expect(rig.store.findByEvent(EVENTS.broken.id)?.phase).toBe('awaiting_approval');
    const json = await post('/control/deny', body, { 'content-type': 'application/json; charset=utf-8' });
    expect(json.status).toBe(200);
  });

  it('is a socket only its owner may use (0600), replacing one a crashed serve left', async () => {
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const stale = join(mkdtempSync(join(tmpdir(), 'pitstop-sock-')), 'state.json.sock');
    // A serve killed with SIGKILL leaves its socket file behind.
    const crashed = execa('node', ['-e', LISTEN_AND_SAY_SO, stale]);
    await new Promise((resolve) => crashed.stdout!.once('data', resolve));
    crashed.kill('SIGKILL');
    await crashed.catch(() => {});
    expect(statSync(stale).isSocket()).toBe(true);
    const again = controlServer(rig.orchestrator, createLogger('silent'));
    await listenOnSocket(again, stale);
    expect(statSync(stale).mode & 0o777).toBe(0o600);
    expect((await requestOverSocket(stale, '/control/approve', '{}', JSON_TYPE, 5_000)).status).toBe(400);
    again.close();
  });

  it('refuses at start-up a socket path longer than a Unix socket may have, saying to shorten STATE_FILE', () => {
    const long = `/tmp/${'d'.repeat(100)}/state.json.sock`;
    expect(() => checkSocketPath(long)).toThrow(ConfigError);
    expect(() => checkSocketPath(long)).toThrow(/STATE_FILE: .* at most 107\. Shorten STATE_FILE's path/);
    expect(() => checkSocketPath('/var/lib/pitstop/state.json.sock')).not.toThrow();
  });
});
