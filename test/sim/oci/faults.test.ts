import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from '../../../src/sim/oci/faults.js';
import { Random } from '../../../src/sim/oci/random.js';
import { Scenario } from '../../../src/sim/oci/scenario.js';
import { OciSimulator } from '../../../src/sim/oci/server.js';
import { sdkSigner, TENANCY } from '../../oci/sim-fixture.js';

let sim: OciSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** A GET signed as the SDK signs it, sent with plain fetch so the raw answer can be read. */
async function signedGet(target: string, init: { signal?: AbortSignal } = {}): Promise<Response> {
  const { credentials, endpoint } = sim!;
  const signer = sdkSigner(credentials);
  const headers = new Headers();
  await signer.signHttpRequest({ method: 'GET', uri: `${endpoint}${target}`, headers });
  return fetch(`${endpoint}${target}`, { headers, ...init });
}

async function startSim() {
  sim = new OciSimulator({ scenario: Scenario.parse({ tenancy: { id: TENANCY } }), timeoutHoldMs: 5_000 });
  await sim.start();
  return sim;
}

const LIST = `/20160918/compartments?compartmentId=${TENANCY}`;

describe('OCI simulator fault injection', () => {
  it('throttles with 429 TooManyRequests and a Retry-After header, as OCI does', async () => {
    const s = await startSim();
    s.faults.set('listCompartments', { retryAfterSeconds: 7 });
    s.faults.failNext('listCompartments', 'throttle');
    const response = await signedGet(LIST);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('opc-request-id')).toBeTruthy();
    expect(await response.json()).toMatchObject({ code: 'TooManyRequests' });
    expect((await signedGet(LIST)).status).toBe(200);
  });

  it('fails with the configured 5xx', async () => {
    const s = await startSim();
    s.faults.set('*', { errorRate: 1, errorStatus: 502 });
    const response = await signedGet(LIST);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'InternalServerError' });
  });

  it('never answers a call hit by a timeout, and logs it with status 0', async () => {
    const s = await startSim();
    s.faults.failNext('listCompartments', 'timeout');
    await expect(signedGet(LIST, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(s.requests.map((r) => [r.operation, r.status])).toEqual([['listCompartments', 0]]);
  });

  it('adds latency before answering', async () => {
    const s = await startSim();
    s.faults.set('*', { latencyMs: 150 });
    const started = performance.now();
    expect((await signedGet(LIST)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('draws random faults at about the configured rate, reproducibly by seed', () => {
    const draw = (seed: number) => {
      const faults = new Faults(new Random(seed));
      faults.set('*', { throttleRate: 0.3 });
      return Array.from({ length: 1000 }, () => faults.decide('getInstance').kind);
    };
    const kinds = draw(5);
    const throttled = kinds.filter((k) => k === 'throttle').length;
    expect(throttled).toBeGreaterThan(250);
    expect(throttled).toBeLessThan(350);
    expect(draw(5)).toEqual(kinds);
  });
});
