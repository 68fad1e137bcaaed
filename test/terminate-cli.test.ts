/**
 * `pitstop terminate` as a process, with no serve running: the real CLI against a real Slurm
 * cluster on this machine (the node must still be out at the moment of acting) and the OCI
 * simulator through the real SDK. Under CI=true a missing Slurm fails these tests; elsewhere
 * they are skipped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { SlurmCluster } from '../src/slurm/cluster.js';
import { SlurmCommands } from '../src/slurm/commands.js';
import { JobStore } from '../src/store/job-store.js';
import {
  event,
  eventOn,
  type Harness,
  instance,
  instanceIn,
  startHarness,
  TENANCY,
} from './oci/sim-fixture.js';
import { keptOutJob } from './support/kept-out.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from './support/slurm-cluster.js';
import { missingTool } from './support/system-tools.js';

const ROOT = join(import.meta.dirname, '..');

describe.skipIf(missingTool(slurmUnavailableReason()))(
  'pitstop terminate as a process, on a real Slurm',
  () => {
    let cluster: RunningCluster;
    let oci: Harness;
    let slurm: SlurmCluster;
    let stateFile: string;
    let auditFile: string;

    beforeAll(async () => {
      cluster = await startCluster();
      const now = systemClock.now();
      oci = await startHarness({
        tenancy: { id: TENANCY },
        instances: [instanceIn('gpu-1', TENANCY, '10.0.0.1'), instanceIn('gpu-2', TENANCY, '10.0.0.2')],
        events: [eventOn('one', 'gpu-1', now), eventOn('two', 'gpu-2', now)],
      });
      slurm = new SlurmCluster(
        new SlurmCommands({ conf: cluster.slurmConf, timeoutMs: 15_000, clock: systemClock }),
        systemClock,
      );
      const dir = mkdtempSync(join(tmpdir(), 'pitstop-terminate-'));
      stateFile = join(dir, 'state.json');
      auditFile = join(dir, 'audit.jsonl');
      const store = await JobStore.open({ stateFile, auditFile, clock: systemClock });
      const parts = { cloud: oci.cloud, cluster: slurm, clock: systemClock };
      for (const node of ['gpu-1', 'gpu-2']) {
        await keptOutJob(store, parts, event(node === 'gpu-1' ? 'one' : 'two'), node);
      }
      await store.close();
    }, 120_000);
    afterAll(async () => {
      await oci?.sim.stop();
      await cluster?.stop();
    });

    const pitstop = (env: Record<string, string>, ...args: string[]) =>
      execa(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'terminate', ...args], {
        cwd: ROOT,
        reject: false,
        env: {
          ...cluster.env,
          STATE_FILE: stateFile,
          AUDIT_FILE: auditFile,
          OCI_CONFIG_FILE: oci.configFile,
          OCI_ENDPOINT: oci.sim.endpoint,
          LOG_LEVEL: 'silent',
          ...env,
        },
      });
    const on = { TRIAGE_TERMINATE: 'true' };
    const instanceState = async (node: string) =>
      (await oci.cloud.getInstance(instance(node))).lifecycleState;

    it('is off unless TRIAGE_TERMINATE=true, says how to turn it on, exits non-zero', async () => {
      const result = await pitstop({}, 'gpu-1', '--by', 'cli:alice');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Terminate is off');
      expect(result.stderr).toContain('TRIAGE_TERMINATE=true');
      expect(oci.sim.count('terminateInstance')).toBe(0);
    }, 60_000);

    it('needs two different people: alice is recorded, alice again changes nothing, bob terminates', async () => {
      const first = await pitstop(on, 'gpu-1', '--by', 'cli:alice');
      expect(first.stderr).toBe('');
      expect(first.exitCode).toBe(0);
      expect(first.stdout).toContain('waits for a second approver other than you');
      expect(first.stdout).toContain('no pitstop serve on');

      const again = await pitstop(on, 'gpu-1', '--by', 'cli:alice');
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toContain('You already asked');
      expect(oci.sim.count('terminateInstance')).toBe(0);

      const second = await pitstop(on, 'gpu-1', '--by', 'cli:bob');
      expect(second.stderr).toBe('');
      expect(second.exitCode).toBe(0);
      expect(second.stdout).toContain('is terminating at OCI (asked by cli:alice and cli:bob)');
      expect(oci.sim.count('terminateInstance')).toBe(1);
      expect(await instanceState('gpu-1')).toBe('TERMINATING');
      // The node stays out in Slurm with the job's reason.
      const status = await slurm.status('gpu-1');
      expect(status.drain).toBe('drained');
      expect(status.reason).toMatch(/^pitstop job-/);
    }, 60_000);

    it('refuses when the node was put back in service meanwhile (read from Slurm when acting)', async () => {
      expect((await pitstop(on, 'gpu-2', '--by', 'cli:alice')).exitCode).toBe(0);
      expect((await slurm.resume('gpu-2', { force: true })).resumed).toBe(true);
      const second = await pitstop(on, 'gpu-2', '--by', 'cli:bob');
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toContain('gpu-2 is back in service');
      expect(oci.sim.count('terminateInstance')).toBe(1);
      expect(await instanceState('gpu-2')).toBe('RUNNING');
    }, 60_000);
  },
);
