import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../src/oci/errors.js';
import { filterSdkWarnings } from '../../src/oci/sdk-warnings.js';
import {
  compartment,
  event,
  eventOn,
  type Harness,
  instanceIn,
  startHarness,
  TENANCY,
} from './sim-fixture.js';

const now = new Date();
const scenario = {
  tenancy: { id: TENANCY },
  compartments: [{ id: compartment('gpu'), name: 'gpu' }],
  instances: [instanceIn('gpu1', compartment('gpu'), '10.0.0.1')],
  events: [eventOn('one', 'gpu1', now)],
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

describe('OCI errors through the real SDK', () => {
  it('retries 429 TooManyRequests with back-off and recovers', async () => {
    harness = await startHarness(scenario);
    harness.sim.faults.failNext('listCompartments', 'throttle', 2);
    harness.sim.faults.failNext('listInstanceMaintenanceEvents', 'throttle', 1);
    const { events: found } = await harness.cloud.discoverEvents();
    expect(found.map((e) => e.id)).toEqual([event('one')]);
    const statuses = harness.sim.requests
      .filter((r) => r.operation === 'listCompartments')
      .map((r) => r.status);
    expect(statuses).toEqual([429, 429, 200]);
    expect(harness.sim.count('listInstanceMaintenanceEvents', 429)).toBe(1);
  });

  it('retries 5xx and recovers', async () => {
    harness = await startHarness(scenario);
    harness.sim.faults.set('getInstanceMaintenanceEvent', { errorStatus: 500 });
    harness.sim.faults.failNext('getInstanceMaintenanceEvent', 'error', 3);
    const found = await harness.cloud.getEvent(event('one'));
    expect(found.id).toBe(event('one'));
    expect(harness.sim.count('getInstanceMaintenanceEvent', 500)).toBe(3);
    expect(harness.sim.count('getInstanceMaintenanceEvent', 200)).toBe(1);
  });

  it('abandons a call that gets no answer and retries it', async () => {
    harness = await startHarness(
      scenario,
      { timeoutHoldMs: 10_000 },
      { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, requestTimeoutMs: 300 } },
    );
    harness.sim.faults.failNext('getInstance', 'timeout', 1);
    const instance = await harness.cloud.getInstance(instanceIn('gpu1', '', '').id);
    expect(instance.displayName).toBe('gpu1');
    expect(instance.primaryVnicAddress).toBe('10.0.0.1');
    expect(harness.sim.requests.filter((r) => r.operation === 'getInstance').map((r) => r.status)).toEqual([
      0, 200,
    ]);
  });

  it('gives up after the configured attempts with a message that says what to do', async () => {
    harness = await startHarness(scenario);
    harness.sim.faults.set('getInstanceMaintenanceEvent', { throttleRate: 1 });
    const failure = await harness.cloud.getEvent(event('one')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CloudError);
    expect((failure as CloudError).statusCode).toBe(429);
    expect((failure as CloudError).message).toMatch(
      /getInstanceMaintenanceEvent \(event .*\) failed: 429 TooManyRequests/,
    );
    expect((failure as CloudError).message).toContain('OCI_DISCOVERY_CONCURRENCY');
    expect(harness.sim.count('getInstanceMaintenanceEvent', 429)).toBe(4);
  });

  it('does not retry what a retry cannot fix (404)', async () => {
    harness = await startHarness(scenario);
    await expect(harness.cloud.getInstance(instanceIn('nosuch', '', '').id)).rejects.toThrowError(
      /Allow group <your-group> to read instance-family/,
    );
    expect(harness.sim.count('getInstance')).toBe(1);
  });

  it('names the missing compartment policy when the whole tenancy cannot be listed', async () => {
    harness = await startHarness(scenario);
    harness.sim.fleet.deny(TENANCY);
    await expect(harness.cloud.discoverEvents()).rejects.toThrowError(
      'Allow group <your-group> to inspect compartments in tenancy',
    );
  });

  it('hands the SDK retry chatter to the sink instead of the console', async () => {
    const chatter: string[] = [];
    harness = await startHarness(scenario, {}, { onSdkWarning: (m) => chatter.push(m) });
    harness.sim.faults.failNext('getInstanceMaintenanceEvent', 'error', 1);
    await harness.cloud.getEvent(event('one'));
    expect(chatter.some((m) => m.startsWith('Request failed with Exception'))).toBe(true);
  });

  it('lets other console warnings through', () => {
    const passed: unknown[][] = [];
    const routed: string[] = [];
    const warn = filterSdkWarnings(
      (...args) => passed.push(args),
      () => (m) => routed.push(m),
    );
    warn('Request failed with Exception : [object Object]');
    warn('something else', 42);
    expect(routed).toEqual(['Request failed with Exception : [object Object]']);
    expect(passed).toEqual([['something else', 42]]);
  });
});
