import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { TransportHealthRunner } from '../../../src/health/runner.js';
import { SshTransport } from '../../../src/health/transports/ssh.js';
import { TransportError } from '../../../src/health/transports/transport.js';
import type { HealthTarget } from '../../../src/ports.js';
import { BROKEN_TOOLS, breakTool } from '../../support/broken-tools.js';
import {
  FIXTURES,
  type GpuStandins,
  gpuStandins,
  HEALTHY_SHAPE,
  healthyNode,
} from '../../support/gpu-standins.js';
import { type RunningSshd, silentHost, sshdMissing, startSshd } from '../../support/sshd.js';
import { missingTool } from '../../support/system-tools.js';

const target = (overrides: Partial<HealthTarget> = {}): HealthTarget => ({
  node: 'gpu-1',
  instanceId: 'ocid1.instance.oc1..test',
  address: '127.0.0.1',
  shape: HEALTHY_SHAPE,
  since: new Date('2020-01-01T00:00:00Z'),
  ...overrides,
});

const back = { waitBack: async () => ({}) as never };

describe.skipIf(missingTool(sshdMissing()))('ssh transport against a real sshd on 127.0.0.1', () => {
  let sshd: RunningSshd;
  let standins: GpuStandins;

  beforeAll(async () => {
    standins = await gpuStandins();
    sshd = await startSshd(standins.path);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('runs a command on the node and returns exactly its output', async () => {
    await healthyNode(standins);
    const transport = new SshTransport(sshd.ssh);
    const output = await transport.run(target(), { argv: ['nvidia-smi', '-q'] }, { timeoutMs: 15_000 });
    const fixture = await readFile(join(FIXTURES, 'nvidia-smi/q_h100-80gb_8gpu_drv535_healthy.txt'), 'utf8');
    expect(output.exitCode).toBe(0);
    expect(output.stdout).toBe(fixture.trimEnd());
  });

  it('passes every argument through the remote shell unchanged', async () => {
    const transport = new SshTransport(sshd.ssh);
    const args = ['a b', "it's", '$HOME', '; rm -rf /', '*'];
    const output = await transport.run(target(), { argv: ['printf', '%s|', ...args] }, { timeoutMs: 15_000 });
    expect(output.stdout).toBe(`${args.join('|')}|`);
  });

  it('reports a remote command that fails with its exit status and stderr', async () => {
    await standins.write(
      'dcgmi',
      'echo "Error: unable to establish a connection to the specified host: localhost" >&2\nexit 1',
    );
    const transport = new SshTransport(sshd.ssh);
    const output = await transport.run(
      target(),
      { argv: ['dcgmi', 'diag', '-r', '1', '-j'] },
      { timeoutMs: 15_000 },
    );
    expect(output.exitCode).toBe(1);
    expect(output.stderr).toContain('unable to establish a connection');
  });

  it('refuses a key the node does not accept, naming what to check', async () => {
    const transport = new SshTransport({ ...sshd.ssh, key: join(standins.dir, 'no-such-key') });
    const error = await transport.probe(target(), { timeoutMs: 15_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('unreachable');
    expect((error as Error).message).toMatch(/gpu-1: ssh to 127\.0\.0\.1 failed: .*SSH_KEY/);
  });

  it('runs the configured checks over ssh into a PASS for a healthy node', async () => {
    await healthyNode(standins);
    const runner = new TransportHealthRunner({
      cluster: back,
      transport: new SshTransport(sshd.ssh),
      clock: systemClock,
      settings: {
        checks: ['nvidia-smi-q', 'nvidia-smi-nvlink', 'dmesg', 'dcgmi-diag'],
        dcgmLevel: 1,
        timeoutMs: 30_000,
      },
    });
    const progress: string[] = [];
    const verdict = await runner.run(target(), {
      backDeadline: new Date(Date.now() + 60_000),
      onProgress: (m) => progress.push(m),
    });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.status).toBe('PASS');
    expect(new Set(verdict.checks.map((c) => c.check))).toEqual(
      new Set([
        'gpu-count',
        'ecc-mode',
        'ecc-uncorrectable',
        'ecc-sram-aggregate',
        'ecc-correctable',
        'row-remap',
        'gpu-reset',
        'pcie-link',
        'clock-slowdown',
        'fabric',
        'persistence-mode',
        'nvlink-status',
        'xid',
        'dcgmi-diag',
      ]),
    );
    expect(progress).toContain('gpu-1: answering over ssh');
  });

  it('turns a failing remote command into ERROR with the node, the check and the reason', async () => {
    await healthyNode(standins);
    await standins.write(
      'dcgmi',
      'echo "Error: unable to establish a connection to the specified host: localhost" >&2\nexit 1',
    );
    const runner = new TransportHealthRunner({
      cluster: back,
      transport: new SshTransport(sshd.ssh),
      clock: systemClock,
      settings: { checks: ['nvidia-smi-q', 'dcgmi-diag'], dcgmLevel: 1, timeoutMs: 30_000 },
    });
    const verdict = await runner.run(target(), { backDeadline: new Date(Date.now() + 60_000) });
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(
        /^dcgmi-diag: could not read the output: Error: unable to establish a connection.* \("dcgmi diag -r 1 -j" exited 1 on gpu-1\)$/,
      ),
    ]);
  });

  it.each(BROKEN_TOOLS)('$name ($check) over ssh is ERROR or FAIL, never PASS', async (broken) => {
    await healthyNode(standins);
    await breakTool(standins, broken);
    const runner = new TransportHealthRunner({
      cluster: back,
      transport: new SshTransport(sshd.ssh),
      clock: systemClock,
      settings: { checks: [broken.check], dcgmLevel: 1, timeoutMs: 30_000, expectGpus: 8 },
    });
    const verdict = await runner.run(target(), { backDeadline: new Date(Date.now() + 60_000) });
    expect(['ERROR', 'FAIL']).toContain(verdict.status);
    expect(verdict.reasons.join('\n')).toMatch(broken.reason);
  });

  it('finds the fault in a failing node over ssh: FAIL with the strongest action', async () => {
    await healthyNode(standins);
    await standins.answer('dmesg', {
      '--time-format iso': { fixture: 'dmesg/xid48-63-94_dbe-row-remap_h100_iso.txt' },
    });
    const runner = new TransportHealthRunner({
      cluster: back,
      transport: new SshTransport(sshd.ssh),
      clock: systemClock,
      settings: { checks: ['nvidia-smi-q', 'dmesg'], dcgmLevel: 1, timeoutMs: 30_000 },
    });
    const verdict = await runner.run(target(), { backDeadline: new Date(Date.now() + 60_000) });
    expect(verdict.status).toBe('FAIL');
    expect(verdict.action).toBe('reboot');
    expect(verdict.reasons.some((r) => r.startsWith('xid (GPU PCI:0000:19:00): Xid 48'))).toBe(true);
  });
});

describe.skipIf(missingTool(sshdMissing()))('ssh transport to a host that never answers', () => {
  it('gives up at the run timeout, not at the TCP timeout', async () => {
    const host = await silentHost();
    try {
      const transport = new SshTransport({
        connectTimeoutMs: 60_000,
        port: host.port,
        configFile: '/dev/null',
      });
      const started = Date.now();
      const error = await transport
        .run(target(), { argv: ['true'] }, { timeoutMs: 1_500 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).kind).toBe('timeout');
      // Without the run timeout ssh would wait out its 60 s ConnectTimeout.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await host.stop();
    }
  });

  it('respects the health backDeadline: ERROR naming the node once it passes, after retries with back-off', async () => {
    const host = await silentHost();
    try {
      const runner = new TransportHealthRunner({
        cluster: back,
        transport: new SshTransport({ connectTimeoutMs: 60_000, port: host.port, configFile: '/dev/null' }),
        clock: systemClock,
        settings: { checks: ['nvidia-smi-q'], dcgmLevel: 1, timeoutMs: 30_000 },
        backoff: { initialMs: 200, maxMs: 400, probeTimeoutMs: 800 },
      });
      const progress: string[] = [];
      const started = Date.now();
      const verdict = await runner.run(target(), {
        backDeadline: new Date(started + 3_000),
        onProgress: (m) => progress.push(m),
      });
      const took = Date.now() - started;
      expect(verdict.status).toBe('ERROR');
      expect(verdict.reasons).toEqual([
        expect.stringMatching(/^reachable: gpu-1 did not answer over ssh within \d+ s/),
      ]);
      expect(took).toBeGreaterThanOrEqual(2_900);
      expect(took).toBeLessThan(15_000);
      expect(progress.filter((m) => m.includes('not answering over ssh yet')).length).toBeGreaterThanOrEqual(
        2,
      );
    } finally {
      await host.stop();
    }
  });
});
