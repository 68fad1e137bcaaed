import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { HealthCheckName } from '../../../src/domain/health-checks.js';
import { checkCommand } from '../../../src/health/check-commands.js';
import { TransportHealthRunner } from '../../../src/health/runner.js';
import { OciRunCommandTransport, runCommandScript } from '../../../src/health/transports/oci-run-command.js';
import type { Cloud, HealthTarget, RunCommandResult } from '../../../src/ports.js';
import { ManualClock } from '../../../src/sim/clock.js';
import { FIXTURES, type GpuStandins, gpuStandins } from '../../support/gpu-standins.js';

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
