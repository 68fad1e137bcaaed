import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../src/oci/errors.js';
import { ManualClock } from '../../src/sim/clock.js';
import { type Harness, instance, instanceIn, startHarness, TENANCY } from './sim-fixture.js';

const start = new Date('2026-05-01T00:00:00.000Z');
const scenario = {
  tenancy: { id: TENANCY },
  instances: [instanceIn('gpu1', TENANCY, '10.0.0.1')],
  lifecycle: { commandRuns: '20s' },
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

async function setUp(output: string, exitCode = 0) {
  const clock = new ManualClock(start, true);
  const scripts: string[] = [];
  harness = await startHarness(
    scenario,
    {
      clock,
      commandRunner: (_instance, script) => {
        scripts.push(script);
        return { exitCode, output };
      },
    },
    { clock, commandPoll: { initialMs: 1_000, maxMs: 8_000 } },
  );
  return { clock, scripts, ...harness };
}

describe('Run Command through the real SDK', () => {
  it('runs the script, polls with back-off until it finished, and reads the last 1 KB of output', async () => {
    const summary = 'SUMMARY gpus=8 xid=0 verdict=PASS';
    const { cloud, sim, scripts } = await setUp(`${'noise\n'.repeat(500)}${summary}\n`);
    const progress: string[] = [];
    const result = await cloud.runCommand(instance('gpu1'), 'nvidia-smi -q | tail -1', {
      deadline: new Date(start.getTime() + 10 * 60_000),
      onProgress: (m) => progress.push(m),
    });
    expect(scripts).toEqual(['nvidia-smi -q | tail -1']);
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.output)).toBe(1024);
    expect(result.output.endsWith(`${summary}\n`)).toBe(true);
    // Polled at 0, 1, 3, 7, 15 and 23 s (doubling, capped at 8 s); it finished at 20.5 s.
    expect(sim.count('getInstanceAgentCommandExecution')).toBe(6);
    expect(progress[0]).toMatch(/Run Command .* on gpu1: (ACCEPTED|IN_PROGRESS) after 0 s/);
  });

  it('hands back a failing exit code for the health parser to judge', async () => {
    const { cloud } = await setUp('dcgmi: GPU 3 failed\n', 3);
    const result = await cloud.runCommand(instance('gpu1'), 'dcgmi diag -r 1', {
      deadline: new Date(start.getTime() + 10 * 60_000),
    });
    expect(result).toEqual({ exitCode: 3, output: 'dcgmi: GPU 3 failed\n' });
  });

  it('refuses a script over 4 KB before calling OCI', async () => {
    const { cloud, sim } = await setUp('');
    await expect(
      cloud.runCommand(instance('gpu1'), 'x'.repeat(4097), { deadline: new Date(start.getTime() + 60_000) }),
    ).rejects.toThrowError(/4097 bytes; OCI accepts at most 4096/);
    expect(sim.count('createInstanceAgentCommand')).toBe(0);
  });

  it('gives up at the deadline, naming the command', async () => {
    const { cloud } = await setUp('late');
    const failure = await cloud
      .runCommand(instance('gpu1'), 'sleep 600', { deadline: new Date(start.getTime() + 5_000) })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CloudError);
    expect((failure as Error).message).toMatch(
      /Run Command ocid1\.instanceagentcommand\..* was still (ACCEPTED|IN_PROGRESS) at the deadline/,
    );
  });
});
