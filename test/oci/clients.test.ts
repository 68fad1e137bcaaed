import { afterEach, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/oci/auth.js';
import { createClients } from '../../src/oci/clients.js';
import { retryAfterMs } from '../../src/oci/http-client.js';
import { DEFAULT_RETRY } from '../../src/oci/retry.js';
import { event, eventOn, type Harness, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

const now = new Date();
const scenario = {
  tenancy: { id: TENANCY },
  instances: [instanceIn('gpu1', TENANCY, '10.0.0.1')],
  events: [eventOn('one', 'gpu1', now)],
};

describe('OCI clients', () => {
  it('point every service at OCI_ENDPOINT, each with its own API version path', async () => {
    harness = await startHarness(scenario);
    const { provider } = await authenticate(harness.settings);
    const clients = createClients(provider, { endpoint: `${harness.sim.endpoint}/`, retry: DEFAULT_RETRY });
    expect(clients.identity.endpoint).toBe(`${harness.sim.endpoint}/20160918`);
    expect(clients.compute.endpoint).toBe(`${harness.sim.endpoint}/20160918`);
    expect(clients.workRequests.endpoint).toBe(`${harness.sim.endpoint}/20160918`);
    expect(clients.agent.endpoint).toBe(`${harness.sim.endpoint}/20180530`);
  });

  it('keep OCI_ENDPOINT even with a region configured (a region set later would overwrite it)', async () => {
    harness = await startHarness(scenario);
    const { provider } = await authenticate(harness.settings);
    const clients = createClients(provider, {
      endpoint: harness.sim.endpoint,
      region: 'eu-frankfurt-1',
      retry: DEFAULT_RETRY,
    });
    expect(clients.compute.endpoint).toBe(`${harness.sim.endpoint}/20160918`);
  });

  it('use the region of the config file when no endpoint is given', async () => {
    harness = await startHarness(scenario);
    const { provider } = await authenticate(harness.settings);
    const clients = createClients(provider, { retry: DEFAULT_RETRY });
    // The SDK resolves the {dualStack?…} part of its template per call.
    expect(clients.compute.endpoint).toMatch(/^https:\/\/iaas\.us-ashburn-1\.\S*oraclecloud\.com\/20160918$/);
    expect(clients.identity.endpoint).toMatch(
      /^https:\/\/identity\.us-ashburn-1\.\S*oraclecloud\.com\/20160918$/,
    );
  });

  it('wait what Retry-After asks before the retry', async () => {
    harness = await startHarness(
      scenario,
      {},
      { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000, requestTimeoutMs: 2_000 } },
    );
    harness.sim.faults.set('getInstanceMaintenanceEvent', { retryAfterSeconds: 1 });
    harness.sim.faults.failNext('getInstanceMaintenanceEvent', 'throttle');
    await harness.cloud.getEvent(event('one'));
    const [throttled, retried] = harness.sim.requests.filter(
      (r) => r.operation === 'getInstanceMaintenanceEvent',
    );
    expect([throttled?.status, retried?.status]).toEqual([429, 200]);
    expect(Date.parse(retried!.at) - Date.parse(throttled!.at)).toBeGreaterThanOrEqual(1_000);
  });

  it('read Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(5_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
