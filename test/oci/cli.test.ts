import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { standInCommand } from '../support/stand-in-command.js';

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
const running: ResultPromise[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) {
    child.kill('SIGTERM');
    await child.catch(() => {});
  }
});

/** `pitstop sim oci …` in its own process; resolves with its one JSON line. */
async function startSim(args: string[]): Promise<{ endpoint: string; tenancy: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-cli-oci-'));
  const child = execa('node', [bin, 'sim', 'oci', ...args, '--write-oci-config', dir]);
  running.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.catch(reject);
  });
  return { ...JSON.parse(line), dir };
}

const now = Date.now();

/**
 * A stand-in `scontrol show node -o` for the generated fleet's cluster: node `gpu-000N` with
 * NodeAddr = instance N's private IP, as on a real oci-hpc cluster.
 */
function slurmOfGeneratedFleet(nodes: number): string {
  const idle = readFileSync(
    new URL('../fixtures/slurm/scontrol-show-node-o_22.05_gpu8-idle.txt', import.meta.url),
    'utf8',
  ).trim();
  const lines = Array.from({ length: nodes }, (_, i) =>
    idle
      .replace('NodeName=gpu-1 ', `NodeName=gpu-${String(i + 1).padStart(4, '0')} `)
      .replace('NodeAddr=127.0.0.1 ', `NodeAddr=10.0.0.${i + 1} `),
  );
  return standInCommand('scontrol', 'show node -o', `${lines.join('\n')}\n`);
}

describe('pitstop sim oci and pitstop discover --once', () => {
  it('serves a generated fleet that discover sweeps through the real SDK', async () => {
    const sim = await startSim([
      '--generate',
      'compartments=6,instances=12,events=5',
      '--seed',
      '3',
      '--max-page-size',
      '2',
    ]);
    expect(sim.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.tenancy).toMatch(/^ocid1\.tenancy\.oc1\.\./);
    expect(readFileSync(join(sim.dir, 'config'), 'utf8')).toContain(`tenancy=${sim.tenancy}`);

    const { stdout, stderr, exitCode } = await execa('node', [bin, 'discover', '--once', '--json'], {
      reject: false,
      env: {
        OCI_CONFIG_FILE: join(sim.dir, 'config'),
        OCI_ENDPOINT: sim.endpoint,
        OCI_HPC_MGMT_COMMAND: '/nonexistent/mgmt',
        SLURM_BIN_DIR: slurmOfGeneratedFleet(12),
        LOG_LEVEL: 'silent',
      },
    });
    expect(stderr).toContain('sweeping 7 compartments');
    expect(stderr).toContain('node mapping: oci-hpc: /nonexistent/mgmt not found');
    expect(exitCode).toBe(0);
    const found = JSON.parse(stdout) as {
      event: { id: string; state: string };
      node?: string;
      mappedVia?: string;
    }[];
    expect(found).toHaveLength(5);
    expect(found.every((f) => f.event.state === 'SCHEDULED' && /^gpu-\d{4}$/.test(f.node ?? ''))).toBe(true);
    expect(new Set(found.map((f) => f.mappedVia))).toEqual(new Set(['name+addr']));

    // The simulator's request log, read from outside its process.
    const log = (await (await fetch(`${sim.endpoint}/_sim/requests`)).json()) as {
      operation: string;
      status: number;
    }[];
    expect(log.filter((r) => r.operation === 'getInstanceMaintenanceEvent')).toHaveLength(5);
    expect(log.every((r) => r.status === 200)).toBe(true);
  });

  it('serves a scenario file and runs the maintenance hooks with the node in the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-cli-scenario-'));
    const scenario = join(dir, 'scenario.json');
    const log = join(dir, 'hooks.log');
    writeFileSync(
      scenario,
      JSON.stringify({
        tenancy: { id: 'ocid1.tenancy.oc1..aaaaaaaaclitest' },
        instances: [
          {
            id: 'ocid1.instance.oc1.iad.aaaaaaaagpu1',
            compartmentId: 'ocid1.tenancy.oc1..aaaaaaaaclitest',
            displayName: 'gpu-1',
            privateIp: '10.0.0.1',
            node: 'node-1',
          },
        ],
        events: [
          {
            id: 'ocid1.instancemaintenanceevent.oc1.iad.aaaaaaaaev1',
            instanceId: 'ocid1.instance.oc1.iad.aaaaaaaagpu1',
            timeWindowStart: new Date(now - 1_000).toISOString(),
          },
        ],
        lifecycle: { eventStarted: '200ms', eventProcessing: '300ms' },
      }),
    );
    const hook = (phase: string) =>
      `echo "${phase} $PITSTOP_NODE $PITSTOP_INSTANCE_ID $PITSTOP_EVENT_STATE" >> ${log}`;
    await startSim([
      '--scenario',
      scenario,
      '--on-maintenance-start',
      hook('start'),
      '--on-maintenance-end',
      hook('end'),
    ]);
    await expect
      .poll(() => readFileSync(log, 'utf8').trim().split('\n'), { timeout: 5_000 })
      .toEqual([
        'start node-1 ocid1.instance.oc1.iad.aaaaaaaagpu1 STARTED',
        'end node-1 ocid1.instance.oc1.iad.aaaaaaaagpu1 SUCCEEDED',
      ]);
  });

  it('says what failed and which policy to check when the tenancy cannot be read, without a stack', async () => {
    const sim = await startSim(['--generate', 'compartments=1,instances=1,events=1']);
    const { stderr, exitCode } = await execa('node', [bin, 'discover', '--once'], {
      reject: false,
      env: {
        OCI_CONFIG_FILE: join(sim.dir, 'config'),
        OCI_ENDPOINT: sim.endpoint,
        OCI_TENANCY_OCID: 'ocid1.tenancy.oc1..aaaaaaaaunknown',
        LOG_LEVEL: 'silent',
      },
    });
    expect(exitCode).toBe(1);
    expect(stderr).toContain(
      'pitstop: listCompartments (tenancy ocid1.tenancy.oc1..aaaaaaaaunknown) failed: 404',
    );
    expect(stderr).toContain('Allow group <your-group> to inspect compartments in tenancy');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('explains a bad invocation without a stack', async () => {
    const { stderr, exitCode } = await execa('node', [bin, 'sim', 'oci', '--generate', 'compartments=x'], {
      reject: false,
    });
    expect(exitCode).toBe(2);
    expect(stderr).toContain('pitstop: --generate: "compartments=x" is not compartments=N');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
    const discover = await execa('node', [bin, 'discover'], { reject: false, env: { LOG_LEVEL: 'silent' } });
    expect(discover.exitCode).toBe(2);
    expect(discover.stderr).toContain('add --once');
  });
});
