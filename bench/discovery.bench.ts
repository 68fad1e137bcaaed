/**
 * One discovery sweep over 500 compartments / 5,000 instances / 1,000 events, every OCI call
 * 20 ms slow: wall time at the configured concurrency (OCI_DISCOVERY_CONCURRENCY, default 8)
 * and at concurrency 1, and this process's peak RSS. Then the calls of that first sweep (nothing
 * known) beside a steady-state sweep (same fleet, nothing changed, the first sweep's events
 * known), by operation; and the same for the events in 50 compartments, where the listings
 * weigh less. The simulator runs in its own process (`pitstop sim oci`), as OCI would, so its
 * work does not count against the adapter's; it counts the calls (`GET /_sim/calls`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { type Config, loadConfig } from '../src/config.js';
import type { MaintenanceEvent } from '../src/domain/event.js';
import { OciCloud } from '../src/oci/oci-cloud.js';
import { peakRssMiB, report } from './report.js';

const FLEET = 'compartments=500,instances=5000,events=1000';
const DENSER_FLEET = 'compartments=50,instances=5000,events=1000';
const LATENCY = '20ms';
const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;

type Calls = Record<string, number>;

interface SimulatedOci {
  tenancy: string;
  config: Config;
  callCounts(): Promise<Calls>;
  stop(): Promise<void>;
}

/** `pitstop sim oci` with `fleet` in its own process, and Pitstop's configuration pointed at it. */
async function startSimulator(fleet: string): Promise<SimulatedOci> {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-bench-oci-'));
  const sim = execa(
    'node',
    [
      bin,
      'sim',
      'oci',
      '--generate',
      fleet,
      '--seed',
      '7',
      '--fault',
      `*:latency=${LATENCY}`,
      '--write-oci-config',
      dir,
    ],
    { stderr: 'inherit' },
  );
  // The simulator prints one JSON line once it listens.
  const { endpoint, tenancy } = await new Promise<{ endpoint: string; tenancy: string }>(
    (resolve, reject) => {
      createInterface({ input: sim.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
      sim.catch(reject);
    },
  );
  return {
    tenancy,
    config: loadConfig({ ...process.env, OCI_CONFIG_FILE: join(dir, 'config'), OCI_ENDPOINT: endpoint }),
    callCounts: async () => (await fetch(`${endpoint}/_sim/calls`)).json() as Promise<Calls>,
    stop: async () => {
      sim.kill('SIGTERM');
      await sim.catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Sweep {
  ms: number;
  events: MaintenanceEvent[];
  calls: Calls;
}

async function sweep(oci: SimulatedOci, concurrency: number, known?: MaintenanceEvent[]): Promise<Sweep> {
  const cloud = await OciCloud.create({ ...oci.config.oci, concurrency });
  const before = await oci.callCounts();
  const started = performance.now();
  const { events } = await cloud.discoverEvents({ known });
  const ms = performance.now() - started;
  const after = await oci.callCounts();
  const calls = Object.fromEntries(Object.keys(after).map((op) => [op, after[op]! - (before[op] ?? 0)]));
  return { ms, events, calls };
}

/** The first sweep (nothing known) and a steady-state one (its events known, nothing changed). */
async function firstAndSteady(oci: SimulatedOci): Promise<{ first: Sweep; steady: Sweep }> {
  const concurrency = oci.config.oci.concurrency;
  const first = await sweep(oci, concurrency);
  return { first, steady: await sweep(oci, concurrency, first.events) };
}

const total = (calls: Calls) => Object.values(calls).reduce((sum, n) => sum + n, 0);

/** One row per operation, the first sweep's calls beside the steady state's, and the targets. */
function callFigures({ first, steady }: { first: Sweep; steady: Sweep }): Record<string, string> {
  const operations = [...new Set([...Object.keys(first.calls), ...Object.keys(steady.calls)])].sort();
  const cell = (n: number) => n.toLocaleString('en-US').padStart(6);
  const fewer = total(first.calls) / total(steady.calls);
  const gets = steady.calls.getInstanceMaintenanceEvent ?? 0;
  return Object.fromEntries([
    ['calls by operation', `${'first'.padStart(6)}  ${'steady'.padStart(6)}`],
    ...operations.map((op) => [`  ${op}`, `${cell(first.calls[op] ?? 0)}  ${cell(steady.calls[op] ?? 0)}`]),
    ['  total', `${cell(total(first.calls))}  ${cell(total(steady.calls))}`],
    ['steady state: GETs', `${gets} (target 0) ${gets === 0 ? 'met' : 'NOT met'}`],
    [
      'steady state: calls',
      `${fewer.toFixed(1)}x fewer than the first sweep (target >= 5x) ${fewer >= 5 ? 'met' : 'NOT met'}`,
    ],
  ]);
}

function expectAll(sweeps: Sweep[]) {
  const found = sweeps.map((s) => s.events.length);
  if (found.some((n) => n !== 1_000)) throw new Error(`expected 1,000 events, found ${found.join(', ')}`);
}

// What the SDK's modules alone take, so the sweep's own share of the peak can be told apart.
const rssBeforeMiB = Math.round((process.memoryUsage().rss / 1_048_576) * 10) / 10;

const oci = await startSimulator(FLEET);
try {
  const sweeps = await firstAndSteady(oci);
  const serial = await sweep(oci, 1);
  expectAll([sweeps.first, sweeps.steady, serial]);
  const fast = sweeps.first;
  const ratio = serial.ms / fast.ms;
  const concurrency = oci.config.oci.concurrency;
  report(`OCI discovery sweep (${FLEET}, ${LATENCY} per call, tenancy ${oci.tenancy.slice(0, 24)}…)`, {
    [`wall time at concurrency ${concurrency}`]: `${(fast.ms / 1000).toFixed(2)} s`,
    'wall time at concurrency 1': `${(serial.ms / 1000).toFixed(2)} s`,
    'speed-up': `${ratio.toFixed(1)}x (target >= 6x) ${ratio >= 6 ? 'met' : 'NOT met'}`,
    'events found': fast.events.length,
    'peak RSS (adapter process)': `${peakRssMiB()} MiB (${rssBeforeMiB} MiB before the sweeps)`,
    [`steady-state wall time at ${concurrency}`]: `${(sweeps.steady.ms / 1000).toFixed(2)} s`,
    ...callFigures(sweeps),
  });
} finally {
  await oci.stop();
}

const denser = await startSimulator(DENSER_FLEET);
try {
  const sweeps = await firstAndSteady(denser);
  expectAll([sweeps.first, sweeps.steady]);
  report(`OCI discovery calls (${DENSER_FLEET}: about 20 open events per compartment)`, callFigures(sweeps));
} finally {
  await denser.stop();
}
