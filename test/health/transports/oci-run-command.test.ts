import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthCheckName } from '../../../src/domain/health-checks.js';
import { checkCommand } from '../../../src/health/check-commands.js';
import { TransportHealthRunner } from '../../../src/health/runner.js';
import { OciRunCommandTransport, runCommandScript } from '../../../src/health/transports/oci-run-command.js';
import { CloudError } from '../../../src/oci/errors.js';
import type { Cloud, HealthTarget, RunCommandResult } from '../../../src/ports.js';
import { ManualClock } from '../../../src/sim/clock.js';
import { type Harness, instance, instanceIn, startHarness, TENANCY } from '../../oci/sim-fixture.js';
import { BROKEN_TOOLS, breakTool } from '../../support/broken-tools.js';
import { FIXTURES, type GpuStandins, gpuStandins, healthyNode } from '../../support/gpu-standins.js';

const OCI_OUTPUT_LIMIT = 1024;

/**
 * Run Command as OCI runs it: the script executes on the instance (here, with the GPU
 * stand-ins on its PATH) and only the last 1 KB of its text output is kept.
 */
function runCommandOn(standins: GpuStandins, scripts: string[] = []): Pick<Cloud, 'runCommand'> {
  return {
    async runCommand(_instanceId, script): Promise<RunCommandResult> {
      scripts.push(script);
      const file = join(await mkdtemp(join(tmpdir(), 'pitstop-rc-')), 'script.sh');
      await writeFile(file, script);
      const result = await execa('sh', [file], { env: { PATH: standins.path }, all: true, reject: false });
      return { exitCode: result.exitCode ?? 1, output: result.all.slice(-OCI_OUTPUT_LIMIT) };
    },
  };
}

/**
 * nvidia-smi's --query-gpu, played from the full query capture of an H100: it prints the
 * header and the values of exactly the fields asked for, as the real tool does.
 */
const QUERY_STANDIN = `
fields=$(printf '%s\\n' "$@" | sed -n 's/^--query-gpu=//p')
awk -F', ' -v want="$fields" '
  NR == 1 { for (i = 1; i <= NF; i++) { name = $i; sub(/ \\[.*\\]$/, "", name); column[name] = i } next }
  { n = split(want, w, ","); h = ""; r = "";
    for (j = 1; j <= n; j++) { h = h (j > 1 ? ", " : "") w[j]; r = r (j > 1 ? ", " : "") $(column[w[j]]) }
    print h; print r }' ${JSON.stringify(join(FIXTURES, 'nvidia-smi/query-gpu-csv_h100-80gb_1gpu_drv590_all-fields_idle.txt'))}
`;

const target: HealthTarget = {
  node: 'gpu-7',
  instanceId: 'ocid1.instance.oc1..seven',
  since: new Date('2020-01-01T00:00:00Z'),
};

describe('oci-run-command transport', () => {
  let standins: GpuStandins;

  beforeEach(async () => {
    standins = await gpuStandins();
    await standins.write(
      'nvidia-smi',
      `case "$1" in
  topo) cat ${JSON.stringify(join(FIXTURES, 'nvidia-smi/topo-m_h100-80gb_1gpu.txt'))} ;;
  --query-gpu=*) ${QUERY_STANDIN} ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`,
    );
    await standins.answer('dmesg', {
      '--time-format iso': { fixture: 'dmesg/clean_h100-hgx-boot_driver550_decode-iso.txt' },
    });
    await standins.answer('dcgmi', {
      'diag -r 1 -j': { fixture: 'dcgmi/diag-j_dcgm3.1.0_8gpu_all-pass_warning-prefix-and-nulls.txt' },
    });
  });

  const runner = (cloud: Pick<Cloud, 'runCommand'>, checks: HealthCheckName[]) => {
    const clock = new ManualClock('2026-11-25T18:00:00Z', true);
    return {
      clock,
      runner: new TransportHealthRunner({
        cluster: { waitBack: async () => ({}) as never },
        transport: new OciRunCommandTransport(cloud, clock),
        clock,
        settings: { checks, dcgmLevel: 1, timeoutMs: 600_000, expectGpus: 1 },
      }),
    };
  };

  it('keeps every check script within OCI’s 4 KB inline limit', () => {
    for (const check of HealthCheckName.options) {
      const script = runCommandScript(checkCommand(check, 4).command);
      expect(Buffer.byteLength(script), check).toBeLessThanOrEqual(4096);
    }
  });

  it('judges a healthy node from compact outputs that fit in the last 1 KB', async () => {
    const scripts: string[] = [];
    const { runner: r, clock } = runner(runCommandOn(standins, scripts), [
      'nvidia-smi-q',
      'nvidia-smi-nvlink',
      'dmesg',
    ]);
    const verdict = await r.run(target, { backDeadline: new Date(clock.now().getTime() + 3_600_000) });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.status).toBe('PASS');
    // The compact query was read: PCIe width and row remapping were judged from the CSV.
    expect(verdict.checks).toContainEqual(expect.objectContaining({ check: 'pcie-link', status: 'pass' }));
    expect(verdict.checks).toContainEqual(
      expect.objectContaining({ check: 'nvlink-topology', status: 'pass' }),
    );
    expect(scripts.filter((s) => s.includes('nvidia-smi --query-gpu='))).toHaveLength(1);
  });

  it('finds an Xid through the compact kernel-log summary', async () => {
    await standins.answer('dmesg', {
      '--time-format iso': { fixture: 'dmesg/xid119_gsp-rpc-timeout_h100-xe9680.txt' },
    });
    const { runner: r, clock } = runner(runCommandOn(standins), ['dmesg']);
    const verdict = await r.run(target, { backDeadline: new Date(clock.now().getTime() + 3_600_000) });
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^xid \(GPU PCI:0000:9b:00\): Xid 119: GSP RPC timeout/),
    ]);
  });

  it('says ERROR, not PASS, when the output is longer than OCI keeps', async () => {
    const { runner: r, clock } = runner(runCommandOn(standins), ['dcgmi-diag']);
    const verdict = await r.run(target, { backDeadline: new Date(clock.now().getTime() + 3_600_000) });
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(
        /^dcgmi-diag: gpu-7: "dcgmi diag -r 1 -j" printed more than OCI Run Command keeps/,
      ),
    ]);
  });

  it('reports the remote exit status from the script, not from the agent', async () => {
    await standins.write(
      'dmesg',
      'echo "dmesg: read kernel buffer failed: Operation not permitted" >&2; exit 1',
    );
    const { runner: r, clock } = runner(runCommandOn(standins), ['dmesg']);
    const verdict = await r.run(target, { backDeadline: new Date(clock.now().getTime() + 3_600_000) });
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons[0]).toMatch(/read kernel buffer failed/);
  });
});

describe('oci-run-command transport through the OCI simulator and the real SDK', () => {
  let standins: GpuStandins;
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.sim.stop();
    harness = undefined;
  });

  /** The simulator runs each script on "the instance" (here, with the stand-ins on its PATH). */
  async function simRunner(checks: HealthCheckName[]) {
    standins = await gpuStandins();
    await healthyNode(standins);
    const clock = new ManualClock('2026-11-25T18:00:00Z', true);
    harness = await startHarness(
      {
        tenancy: { id: TENANCY },
        instances: [instanceIn('gpu7', TENANCY, '10.0.0.7')],
        lifecycle: { commandRuns: '5s' },
      },
      {
        clock,
        commandRunner: (_instance, script) => {
          const result = execaSync('sh', ['-c', script], {
            env: { PATH: standins.path },
            all: true,
            reject: false,
          });
          return { exitCode: result.exitCode ?? 1, output: `${result.all}\n` };
        },
      },
      { clock, commandPoll: { initialMs: 1_000, maxMs: 4_000 } },
    );
    const runner = new TransportHealthRunner({
      cluster: { waitBack: async () => ({}) as never },
      transport: new OciRunCommandTransport(harness.cloud, clock),
      clock,
      settings: { checks, dcgmLevel: 1, timeoutMs: 600_000, expectGpus: 8 },
      backoff: { initialMs: 5_000, maxMs: 60_000, probeTimeoutMs: 120_000 },
    });
    const simTarget: HealthTarget = { ...target, instanceId: instance('gpu7') };
    return { runner, clock, sim: harness.sim, simTarget };
  }

  it.each(BROKEN_TOOLS)('$name ($check) is ERROR or FAIL, never PASS', async (broken) => {
    const { runner, clock, simTarget } = await simRunner([broken.check]);
    await breakTool(standins, broken);
    const verdict = await runner.run(simTarget, {
      backDeadline: new Date(clock.now().getTime() + 3_600_000),
    });
    expect(['ERROR', 'FAIL']).toContain(verdict.status);
    expect(verdict.reasons.join('\n')).toMatch(broken.reason);
  });

  it('sees an Xid after the maintenance although the same Xid was logged before it', async () => {
    const { runner, clock, simTarget } = await simRunner(['dmesg']);
    const xid = (time: string) =>
      `${time} NVRM: Xid (PCI:0000:19:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer`;
    await standins.write(
      'dmesg',
      `printf '%s\\n' '2024-11-15T10:00:00,000000+00:00 Linux version 6.8' "${xid('2024-11-15T10:05:00,000000+00:00')}" '2024-11-15T12:30:00,000000+00:00 Linux version 6.8' "${xid('2024-11-15T12:40:00,000000+00:00')}"`,
    );
    const verdict = await runner.run(
      { ...simTarget, since: new Date('2024-11-15T12:00:00Z') },
      { backDeadline: new Date(clock.now().getTime() + 3_600_000) },
    );
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons).toEqual([expect.stringMatching(/^xid \(GPU PCI:0000:19:00\): Xid 48/)]);
  });

  it('retries a check whose Run Command call fails with 5xx beyond the SDK retries, says so once, then judges it', async () => {
    const { runner, clock, sim, simTarget } = await simRunner(['dmesg']);
    const progress: string[] = [];
    const verdict = await runner.run(simTarget, {
      backDeadline: new Date(clock.now().getTime() + 3_600_000),
      onProgress: (m) => {
        progress.push(m);
        // Two calls' worth of 503s, each outlasting the SDK's own retries.
        if (m.includes('running dmesg')) sim.faults.failNext('createInstanceAgentCommand', 'error', 8);
      },
    });
    expect(verdict.status).toBe('PASS');
    expect(progress.filter((m) => m.includes('dmesg could not run'))).toEqual([
      expect.stringMatching(
        /^gpu-7: dmesg could not run \(attempt 1: gpu-7: Run Command: createInstanceAgentCommand .*503.*next try in 5 s$/,
      ),
    ]);
  });
});

describe('oci-run-command transport when OCI refuses', () => {
  it('is ERROR at once, naming the policy, when OCI answers 404 (no retrying what cannot heal)', async () => {
    let calls = 0;
    const clock = new ManualClock('2026-11-25T18:00:00Z', true);
    const cloud: Pick<Cloud, 'runCommand'> = {
      async runCommand() {
        calls++;
        throw new CloudError(
          'createInstanceAgentCommand (instance x) failed: 404 NotAuthorizedOrNotFound: Authorization failed. Allow group <your-group> to manage instance-agent-command-family',
          'createInstanceAgentCommand',
          404,
          'NotAuthorizedOrNotFound',
        );
      },
    };
    const runner = new TransportHealthRunner({
      cluster: { waitBack: async () => ({}) as never },
      transport: new OciRunCommandTransport(cloud, clock),
      clock,
      settings: { checks: ['dmesg'], dcgmLevel: 1, timeoutMs: 600_000, expectGpus: 1 },
    });
    const started = clock.now().getTime();
    const verdict = await runner.run(target, { backDeadline: new Date(started + 3_600_000) });
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^reachable: gpu-7 did not answer .*instance-agent-command-family/),
    ]);
    expect(calls).toBe(1);
    expect(clock.now().getTime()).toBe(started);
  });
});
