/**
 * One discovery sweep over 500 compartments / 5,000 instances / 1,000 events, every OCI call
 * 20 ms slow: wall time at the configured concurrency (OCI_DISCOVERY_CONCURRENCY, default 8)
 * and at concurrency 1, and this process's peak RSS. Then the calls of that first sweep (nothing
 * known) beside a steady-state sweep (same fleet, nothing changed, the first sweep's events
 * known), by operation. The simulator runs in its own process (`pitstop sim oci`), as OCI would,
 * so its work does not count against the adapter's; it counts the calls (`GET /_sim/calls`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { loadConfig } from '../src/config.js';
import type { MaintenanceEvent } from '../src/domain/event.js';
import { OciCloud } from '../src/oci/oci-cloud.js';
import { peakRssMiB, report } from './report.js';

const FLEET = 'compartments=500,instances=5000,events=1000';
const LATENCY = '20ms';

const dir = mkdtempSync(join(tmpdir(), 'pitstop-bench-oci-'));
const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;
const sim = execa(
  'node',
  [
    bin,
    'sim',
    'oci',
    '--generate',
    FLEET,
    '--seed',
    '7',
    '--fault',
    `*:latency=${LATENCY}`,
    '--write-oci-config',
    dir,
  ],
  {
    stderr: 'inherit',
  },
);
// The simulator prints one JSON line once it listens.
const { endpoint, tenancy } = await new Promise<{ endpoint: string; tenancy: string }>((resolve, reject) => {
  createInterface({ input: sim.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
  sim.catch(reject);
});

const config = loadConfig({ ...process.env, OCI_CONFIG_FILE: join(dir, 'config'), OCI_ENDPOINT: endpoint });

type Calls = Record<string, number>;

const callCounts = async (): Promise<Calls> =>
  (await fetch(`${endpoint}/_sim/calls`)).json() as Promise<Calls>;

async function sweep(
  concurrency: number,
  known?: MaintenanceEvent[],
): Promise<{ ms: number; events: MaintenanceEvent[]; calls: Calls }> {
  const cloud = await OciCloud.create({ ...config.oci, concurrency });
  const before = await callCounts();
  const started = performance.now();
  const { events } = await cloud.discoverEvents({ known });
  const ms = performance.now() - started;
  const after = await callCounts();
  const calls = Object.fromEntries(Object.keys(after).map((op) => [op, after[op]! - (before[op] ?? 0)]));
  return { ms, events, calls };
}

const total = (calls: Calls) => Object.values(calls).reduce((sum, n) => sum + n, 0);

/** One row per operation: the first sweep's calls beside the steady state's. */
function sideBySide(first: Calls, steady: Calls): Record<string, string> {
  const operations = [...new Set([...Object.keys(first), ...Object.keys(steady)])].sort();
  const cell = (n: number) => n.toLocaleString('en-US').padStart(6);
  return Object.fromEntries([
    ['calls by operation', `${'first'.padStart(6)}  ${'steady'.padStart(6)}`],
    ...operations.map((op) => [`  ${op}`, `${cell(first[op] ?? 0)}  ${cell(steady[op] ?? 0)}`]),
    ['  total', `${cell(total(first))}  ${cell(total(steady))}`],
  ]);
}

// What the SDK's modules alone take, so the sweep's own share of the peak can be told apart.
const rssBeforeMiB = Math.round((process.memoryUsage().rss / 1_048_576) * 10) / 10;

try {
  const fast = await sweep(config.oci.concurrency);
  const steady = await sweep(config.oci.concurrency, fast.events);
  const serial = await sweep(1);
  const found = [fast, steady, serial].map((s) => s.events.length);
  if (found.some((n) => n !== 1_000)) throw new Error(`expected 1,000 events, found ${found.join(', ')}`);
  const ratio = serial.ms / fast.ms;
  const fewer = total(fast.calls) / total(steady.calls);
  const steadyGets = steady.calls.getInstanceMaintenanceEvent ?? 0;
  report(`OCI discovery sweep (${FLEET}, ${LATENCY} per call, tenancy ${tenancy.slice(0, 24)}…)`, {
    [`wall time at concurrency ${config.oci.concurrency}`]: `${(fast.ms / 1000).toFixed(2)} s`,
    'wall time at concurrency 1': `${(serial.ms / 1000).toFixed(2)} s`,
    'speed-up': `${ratio.toFixed(1)}x (target >= 6x) ${ratio >= 6 ? 'met' : 'NOT met'}`,
    'events found': fast.events.length,
    'peak RSS (adapter process)': `${peakRssMiB()} MiB (${rssBeforeMiB} MiB before the sweeps)`,
    ...sideBySide(fast.calls, steady.calls),
    'steady-state wall time': `${(steady.ms / 1000).toFixed(2)} s at concurrency ${config.oci.concurrency}`,
    'steady state: no GET': `${steadyGets} GETs (target 0) ${steadyGets === 0 ? 'met' : 'NOT met'}`,
    'steady state: calls': `${fewer.toFixed(1)}x fewer than the first sweep (target >= 5x) ${fewer >= 5 ? 'met' : 'NOT met'}`,
  });
} finally {
  sim.kill('SIGTERM');
  await sim.catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
