import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { ScenarioInput } from '../../src/sim/oci/scenario.js';
import { JobStore } from '../../src/store/job-store.js';
import { event, type Harness, instance, startHarness, TENANCY } from '../oci/sim-fixture.js';
import { freePort } from '../support/free-port.js';
import { type GpuStandins, gpuStandins, HEALTHY_SHAPE, healthyNode } from '../support/gpu-standins.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import type { ClusterHarness } from '../support/slurm-contract.js';
import { realHarness } from '../support/slurm-real-harness.js';
import { missingTool } from '../support/system-tools.js';
import { Captured, secretsCase } from './captured.js';
import { type FleetRecord, readAudit } from './invariants.js';
import { type ChaosCase, runMatrix } from './matrix.js';
import { type RecordingSlurmBin, recordingSlurmBin } from './recording-slurm.js';

const BIN = new URL('../../bin/pitstop.js', import.meta.url).pathname;

/**
 * One real Slurm cluster per chaos file, shared by its cases; each case gets its own OCI
 * simulator (its events), state directory and `pitstop serve` processes. Maintenance stops the
 * node's slurmd and starts it again when OCI is done, as a reboot would.
 */
export interface ServeWorld {
  slurm: RunningCluster;
  harness: ClusterHarness;
  bin: RecordingSlurmBin;
  standins: GpuStandins;
  captured: Captured;
  /** A node update by a human (real scontrol), written down in order with Pitstop's. */
  human(node: string, state: 'DRAIN' | 'RESUME', reason?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServeWorld(captured: Captured): Promise<ServeWorld> {
  const [slurm, standins] = await Promise.all([startCluster(), gpuStandins()]);
  await healthyNode(standins);
  const bin = await recordingSlurmBin();
  return {
    slurm,
    harness: realHarness(slurm),
    bin,
    standins,
    captured,
    async human(node, state, reason) {
      const args = ['update', `NodeName=${node}`, `State=${state}`, ...(reason ? [`Reason=${reason}`] : [])];
      await execa('scontrol', args, { env: slurm.env });
      await bin.human(args);
    },
    stop: () => slurm.stop(),
  };
}

export interface ServeProcess {
  /** stdout's JSON lines, parsed, as they came. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line (past or future) that matches. */
  line(what: string, matches: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<Exit>;
  /** Resolves when serve exits by itself (a refusal at start-up). */
  exited(): Promise<Exit>;
}

export interface Exit {
  exitCode?: number;
  signal?: string;
  stderr: string;
}

export interface ServeCase {
  oci: Harness;
  stateFile: string;
  auditFile: string;
  env: Record<string, string>;
  port: number;
  serve(extraEnv?: Record<string, string>): ServeProcess;
  /** A `pitstop` CLI command against this case's state file (output captured). */
  pitstop(
    args: string[],
    extraEnv?: Record<string, string>,
  ): Promise<{ exitCode?: number; stdout: string; stderr: string }>;
  /** Polls the state file until every event of the case is finished. */
  finished(timeoutMs?: number): Promise<void>;
  record(): Promise<FleetRecord>;
  stop(): Promise<void>;
}

export interface CaseEvent {
  name: string;
  node: string;
  extra?: Partial<NonNullable<ScenarioInput['events']>[number]>;
}

/** Fast timings for every serve of the matrix: a job runs end to end in seconds. */
export const FAST_ENV = {
  LEAD_TIME: '1s',
  POLL_INITIAL: '300ms',
  POLL_MAX: '1s',
  BACK_TIMEOUT: '60s',
  DRAIN_TIMEOUT: '60s',
  MAINTENANCE_TIMEOUT: '60s',
  HEALTH_TIMEOUT: '30s',
  AUTO_APPROVE: 'ALL',
  DISCOVERY_CRON: '0 0 1 1 *',
  HEALTH_TRANSPORT: 'local',
  LOG_LEVEL: 'info',
  SLURM_TIMEOUT: '10s',
};

export async function serveCase(
  world: ServeWorld,
  events: CaseEvent[],
  options: {
    lifecycle?: ScenarioInput['lifecycle'];
    /** `never`: the maintenance stops the node's slurmd and nothing starts it again. */
    comesBack?: 'never';
  } = {},
): Promise<ServeCase> {
  await world.harness.reset();
  await world.bin.clear();
  const nodes = [...new Set(events.map((e) => e.node))];
  const scenario: ScenarioInput = {
    tenancy: { id: TENANCY },
    instances: nodes.map((node) => ({
      id: instance(node.replace('-', '')),
      compartmentId: TENANCY,
      displayName: node,
      shape: HEALTHY_SHAPE,
      // The test cluster's slurmds all listen on localhost: NodeAddr=127.0.0.1.
      privateIp: '127.0.0.1',
    })),
    events: events.map((e) => ({
      id: event(e.name),
      instanceId: instance(e.node.replace('-', '')),
      timeWindowStart: new Date(Date.now() + 86_400_000).toISOString(),
      ...e.extra,
    })),
    lifecycle: {
      workRequestAccepted: '200ms',
      workRequestInProgress: '300ms',
      eventStarted: '1s',
      eventProcessing: '1s',
      ...options.lifecycle,
    },
  };
  const oci = await startHarness(scenario, {
    onMaintenance: async (t) => {
      if (t.phase === 'start') await world.harness.stopSlurmd(t.node);
      else if (options.comesBack !== 'never') await world.harness.startSlurmd(t.node);
    },
    timeoutHoldMs: 3_000,
  });
  world.captured.ociKey('OCI key', oci.sim.credentials);
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-chaos-'));
  const stateFile = join(dir, 'state', 'state.json');
  const auditFile = join(dir, 'state', 'audit.jsonl');
  const port = await freePort();
  const env: Record<string, string> = {
    ...world.slurm.env,
    ...FAST_ENV,
    PATH: world.standins.path,
    SLURM_BIN_DIR: world.bin.dir,
    OCI_ENDPOINT: oci.sim.endpoint,
    OCI_CONFIG_FILE: oci.configFile,
    STATE_FILE: stateFile,
    AUDIT_FILE: auditFile,
    PORT: String(port),
    USER: 'chaos',
  };
  const children: ResultPromise[] = [];
  let serves = 0;

  const serve = (extraEnv: Record<string, string> = {}): ServeProcess => {
    const label = `serve #${++serves}`;
    const child = execa(process.execPath, [BIN, 'serve'], {
      reject: false,
      env: { ...env, ...extraEnv },
      buffer: false,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    children.push(child);
    const exit = async (): Promise<Exit> => {
      const result = await child;
      return { exitCode: result.exitCode, signal: result.signal, stderr };
    };
    const lines: Record<string, unknown>[] = [];
    const waiters: { matches: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
    let stderr = '';
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = pending + chunk.toString();
      world.captured.add(`${label} stdout`, chunk.toString());
      const parts = text.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts.filter(Boolean)) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(part) as Record<string, unknown>;
        } catch {
          line = { msg: part };
        }
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.matches(line))) waiter.resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      world.captured.add(`${label} stderr`, chunk.toString());
    });
    return {
      lines,
      line(what, matches, timeoutMs = 30_000) {
        if (lines.some(matches)) return Promise.resolve();
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `test: ${label} never logged ${what} within ${timeoutMs} ms; last lines:\n` +
                    `${lines
                      .slice(-5)
                      .map((l) => JSON.stringify(l))
                      .join('\n')}\nstderr: ${stderr.slice(-500)}`,
                ),
              ),
            timeoutMs,
          );
          waiters.push({
            matches,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
          void child.then(() => {
            clearTimeout(timer);
            reject(new Error(`test: ${label} exited before logging ${what}: ${stderr.slice(-800)}`));
          });
        });
      },
      async kill(signal) {
        child.kill(signal);
        return exit();
      },
      exited: exit,
    };
  };

  return {
    oci,
    stateFile,
    auditFile,
    env,
    port,
    serve,
    async pitstop(args, extraEnv = {}) {
      const result = await execa(process.execPath, [BIN, ...args], {
        reject: false,
        env: { ...env, ...extraEnv },
      });
      world.captured.add(`pitstop ${args[0]} stdout`, result.stdout);
      world.captured.add(`pitstop ${args[0]} stderr`, result.stderr);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
    async finished(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const ids = events.map((e) => event(e.name));
      for (;;) {
        const state = await JobStore.read(stateFile).catch(() => undefined);
        if (state && ids.every((id) => state.finished[id])) return;
        if (Date.now() > deadline) {
          throw new Error(
            `test: not every event finished within ${timeoutMs} ms: ${JSON.stringify(state?.jobs)}`,
          );
        }
        await delay(250);
      }
    },
    async record() {
      return {
        slurm: await world.bin.changes(),
        oci: oci.sim.requests,
        audit: await readAudit(auditFile),
        state: await JobStore.read(stateFile),
        maxNodesOut: 4,
      };
    },
    async stop() {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children);
      await oci.sim.stop();
    },
  };
}

/** A line of the headless log: the job reached `phase`. */
export const reached = (phase: string) => (line: Record<string, unknown>) =>
  line.notify === 'phase' && line.phase === phase;

/** A progress line of the job that matches. */
export const saying = (pattern: RegExp) => (line: Record<string, unknown>) =>
  line.notify === 'progress' && pattern.test(String(line.msg));

/**
 * A chaos file of serve cases: one world (one real Slurm cluster) for its cases, and the secrets
 * scan last. Under CI=true a missing Slurm fails the file (`missingTool`); elsewhere it is skipped with why.
 */
export function describeServeMatrix(title: string, cases: ChaosCase<ServeWorld>[]): void {
  const captured = new Captured();
  describe.skipIf(missingTool(slurmUnavailableReason()))(title, () => {
    let world: ServeWorld;
    beforeAll(async () => {
      world = await startServeWorld(captured);
    });
    afterAll(async () => {
      await world?.stop();
    });
    afterEach(async () => {
      // Back to healthy stand-in GPU tools for the next case.
      if (world) await healthyNode(world.standins);
    });
    runMatrix([...cases, secretsCase<ServeWorld>(captured)], () => world);
  });
}
