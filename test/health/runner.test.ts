import { describe, expect, it } from 'vitest';
import { type HealthSettings, TransportHealthRunner } from '../../src/health/runner.js';
import { SshTransport } from '../../src/health/transports/ssh.js';
import type { Cluster, HealthRunOptions, HealthTarget } from '../../src/ports.js';
import { ManualClock } from '../../src/sim/clock.js';
import { BROKEN_TOOLS, breakTool } from '../support/broken-tools.js';
import { freePort } from '../support/free-port.js';
import { gpuStandins, HEALTHY_SHAPE, healthyNode, localHealthRunner } from '../support/gpu-standins.js';
import { sshdMissing } from '../support/sshd.js';
import { missingTool } from '../support/system-tools.js';

const START = '2026-11-25T18:00:00Z';
const HOUR = 3_600_000;

const target = (overrides: Partial<HealthTarget> = {}): HealthTarget => ({
  node: 'gpu-3',
  instanceId: 'ocid1.instance.oc1..three',
  shape: HEALTHY_SHAPE,
  since: new Date('2024-11-15T12:00:00Z'),
  ...overrides,
});

const isBack: Pick<Cluster, 'waitBack'> = { waitBack: async () => ({}) as never };

async function localRunner(settings: Partial<HealthSettings> = {}, cluster = isBack) {
  const standins = await gpuStandins();
  await healthyNode(standins);
  const clock = new ManualClock(START, true);
  const runner = localHealthRunner({ standins, cluster, clock, timeoutMs: HOUR, settings });
  const progress: string[] = [];
  const options = (): HealthRunOptions => ({
    backDeadline: new Date(clock.now().getTime() + HOUR),
    onProgress: (m) => progress.push(m),
  });
  return { standins, clock, runner, progress, options };
}

describe('health runner', () => {
  it('waits for the node to come back since the maintenance, then judges it', async () => {
    const calls: unknown[][] = [];
    const cluster = {
      waitBack: async (...args: unknown[]) => {
        calls.push(args);
        return {} as never;
      },
    };
    const { runner, options } = await localRunner({}, cluster);
    const opts = options();
    const verdict = await runner.run(target(), opts);
    expect(verdict.status).toBe('PASS');
    expect(calls).toEqual([
      [
        'gpu-3',
        target().since,
        { deadline: opts.backDeadline, onProgress: opts.onProgress, signal: undefined },
      ],
    ]);
  });

  it('is ERROR, naming the node, when it never comes back', async () => {
    const cluster = {
      waitBack: async () => {
        throw new Error('slurmd on gpu-3 did not re-register within 2 h');
      },
    };
    const { runner, options } = await localRunner({}, cluster);
    const verdict = await runner.run(target(), options());
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      'node-back: gpu-3 did not come back: slurmd on gpu-3 did not re-register within 2 h',
    ]);
  });

  it('skips the checks a shape does not have, and says so', async () => {
    const { runner, options, progress } = await localRunner({ expectGpus: 8 });
    const verdict = await runner.run(target({ shape: 'BM.GPU.L40S.4' }), options());
    expect(verdict.checks.some((c) => c.check === 'nvlink-status')).toBe(false);
    expect(progress).toContain('gpu-3: nvidia-smi-nvlink skipped (this shape has no NVLink)');
  });

  it('is ERROR when the expected GPU count cannot be known', async () => {
    const { runner, options } = await localRunner();
    const verdict = await runner.run(target({ shape: 'BM.Unknown.1' }), options());
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toContainEqual(
      expect.stringMatching(/gpu-count: .*unknown.*set HEALTH_EXPECT_GPUS/),
    );
  });

  it('fails a node with fewer GPUs than its shape', async () => {
    const { runner, options } = await localRunner({ checks: ['nvidia-smi-q'] });
    const verdict = await runner.run(target({ shape: 'BM.GPU.H100.8' }), options());
    expect(verdict.status).toBe('PASS');
    const { runner: small } = await localRunner({
      checks: ['nvidia-smi-q'],
      shapeOverrides: { 'BM.GPU.H100.8': { gpus: 16 } },
    });
    const fewer = await small.run(target({ shape: 'BM.GPU.H100.8' }), options());
    expect(fewer.status).toBe('FAIL');
    expect(fewer.reasons).toEqual(['gpu-count: 8 of 16 GPUs visible; reboot, then replace if still missing']);
  });

  it('says which tool is missing on the node', async () => {
    const { runner, options, standins } = await localRunner({ checks: ['dcgmi-diag'] });
    await standins.write('dcgmi', 'exec /nonexistent/dcgmi "$@"');
    const verdict = await runner.run(target(), options());
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      'dcgmi-diag: dcgmi is not installed on gpu-3: install it or drop dcgmi-diag from HEALTH_CHECKS',
    ]);
  });

  it('does not accept clean-looking output from a command that failed', async () => {
    const { runner, options, standins } = await localRunner({ checks: ['nvidia-smi-nvlink'] });
    await standins.write(
      'nvidia-smi',
      `printf 'GPU 0: X (UUID: GPU-1)\\n\\t Link 0: 25 GB/s\\n'; echo 'partial failure' >&2; exit 3`,
    );
    const verdict = await runner.run(target({ shape: undefined }), options());
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toContainEqual(
      'nvidia-smi-nvlink: "nvidia-smi nvlink -s" exited 3 on gpu-3: partial failure',
    );
  });

  it('counts only kernel messages since the maintenance ended', async () => {
    const { runner, standins, clock } = await localRunner({ checks: ['dmesg'], expectGpus: 8 });
    await standins.answer('dmesg', {
      '--time-format iso': { fixture: 'dmesg/xid48-63-94_dbe-row-remap_h100_iso.txt' },
    });
    const deadline = () => new Date(clock.now().getTime() + HOUR);
    const before = await runner.run(target({ since: new Date('2024-11-15T12:00:00Z') }), {
      backDeadline: deadline(),
    });
    expect(before.status).toBe('FAIL');
    const after = await runner.run(target({ since: new Date('2024-11-15T12:05:00Z') }), {
      backDeadline: deadline(),
    });
    expect(after.status).toBe('PASS');
  });

  it('runs nothing once the deadline has passed', async () => {
    const { runner, clock } = await localRunner({ checks: ['nvidia-smi-q'] });
    const verdict = await runner.run(target(), { backDeadline: clock.now() });
    expect(verdict.status).toBe('ERROR');
  });
});

describe('health runner over the local transport: every stage failing on its own', () => {
  it.each(BROKEN_TOOLS)('$name ($check) is ERROR or FAIL, never PASS', async (broken) => {
    const { runner, options, standins } = await localRunner({ checks: [broken.check], expectGpus: 8 });
    await breakTool(standins, broken);
    const verdict = await runner.run(target({ shape: undefined }), options());
    expect(['ERROR', 'FAIL']).toContain(verdict.status);
    expect(verdict.reasons.join('\n')).toMatch(broken.reason);
  });
});

describe.skipIf(missingTool(sshdMissing()))('health runner waiting for the transport', () => {
  it('retries an unreachable node with doubling back-off up to the cap, reporting each wait, until the deadline', async () => {
    const clock = new ManualClock(START, true);
    const port = await freePort(); // nothing listens: every probe is refused at once
    const runner = new TransportHealthRunner({
      cluster: isBack,
      transport: new SshTransport({ connectTimeoutMs: 5_000, port, configFile: '/dev/null' }),
      clock,
      settings: { checks: ['nvidia-smi-q'], dcgmLevel: 1, timeoutMs: HOUR },
      backoff: { initialMs: 5_000, maxMs: 60_000, probeTimeoutMs: 10_000 },
    });
    const progress: string[] = [];
    const verdict = await runner.run(target({ address: '127.0.0.1' }), {
      backDeadline: new Date(clock.now().getTime() + 5 * 60_000),
      onProgress: (m) => progress.push(m),
    });
    const waits = progress.flatMap((m) => /next try in (\d+) s$/.exec(m)?.[1] ?? []).map(Number);
    expect(waits).toEqual([5, 10, 20, 40, 60, 60, 60, 45]);
    expect(clock.now().toISOString()).toBe('2026-11-25T18:05:00.000Z');
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(
        /^reachable: gpu-3 did not answer over ssh within 300 s: gpu-3: ssh to 127\.0\.0\.1 failed: .*refused/,
      ),
    ]);
  });
});
