import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../src/oci/errors.js';
import { ManualClock } from '../../src/sim/clock.js';
import { generateScenario, parseFleetSize } from '../../src/sim/oci/generate.js';
import { type Harness, instance, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

const start = new Date('2026-03-01T10:00:00.000Z');
const POOL = 'ocid1.instancepool.oc1.iad.aaaaaaaapool';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

async function setUp(clock: ManualClock) {
  harness = await startHarness(
    {
      tenancy: { id: TENANCY },
      instances: [
        instanceIn('gpu1', TENANCY, '10.0.0.1'),
        { ...instanceIn('gpu2', TENANCY, '10.0.0.2'), instancePoolId: POOL },
      ],
      lifecycle: { instanceTerminating: '2m' },
    },
    { clock },
  );
  return harness;
}

describe('TerminateInstance through the real SDK', () => {
  it('answers 204 with the boot volume kept, and the instance goes TERMINATING, then TERMINATED', async () => {
    const clock = new ManualClock(start);
    const { cloud, sim } = await setUp(clock);
    await cloud.terminateInstance(instance('gpu1'));
    const call = sim.requests.find((r) => r.operation === 'terminateInstance')!;
    expect(call).toMatchObject({ method: 'DELETE', status: 204 });
    expect(call.target).toContain(`/20160918/instances/${instance('gpu1')}?`);
    expect(call.target).toContain('preserveBootVolume=true');
    expect((await cloud.getInstance(instance('gpu1'))).lifecycleState).toBe('TERMINATING');
    clock.advance(2 * 60_000);
    expect((await cloud.getInstance(instance('gpu1'))).lifecycleState).toBe('TERMINATED');
    // A second terminate of a TERMINATED instance is harmless, as at OCI.
    await cloud.terminateInstance(instance('gpu1'));
    expect((await cloud.getInstance(instance('gpu1'))).lifecycleState).toBe('TERMINATED');
  });

  it('refuses an instance pool member with 409 Conflict naming the pool, and it stays RUNNING', async () => {
    const { cloud, sim } = await setUp(new ManualClock(start));
    const failure = await cloud.terminateInstance(instance('gpu2')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CloudError);
    expect((failure as CloudError).statusCode).toBe(409);
    expect((failure as CloudError).serviceCode).toBe('Conflict');
    expect((failure as CloudError).message).toContain(`belongs to instance pool ${POOL}`);
    expect((failure as CloudError).transient).toBe(false);
    expect(sim.count('terminateInstance', 409)).toBe(1);
    expect((await cloud.getInstance(instance('gpu2'))).lifecycleState).toBe('RUNNING');
  });

  it('--generate pooled=P puts the last P instances in one pool, and leaves a seed without it as it was', () => {
    const now = new Date(start);
    const plain = generateScenario(parseFleetSize('instances=5,events=2'), 7, now);
    const pooled = generateScenario(parseFleetSize('instances=5,events=2,pooled=2'), 7, now);
    expect(plain.instances.every((i) => i.instancePoolId === undefined)).toBe(true);
    const pools = pooled.instances.map((i) => i.instancePoolId);
    expect(pools.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(pools[3]).toMatch(/^ocid1\.instancepool\./);
    expect(pools[4]).toBe(pools[3]);
    expect(() => parseFleetSize('instances=1,pooled=2')).toThrow(/2 pooled instances need/);
  });
});
