/**
 * One discovery sweep over 500 compartments / 5,000 instances / 1,000 events, every OCI call
 * 20 ms slow: wall time at the configured concurrency (OCI_DISCOVERY_CONCURRENCY, default 8)
 * and at concurrency 1, and this process's peak RSS. The simulator runs in its own process
 * (`pitstop sim oci`), as OCI would, so its work does not count against the adapter's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { loadConfig } from '../src/config.js';
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

async function sweep(concurrency: number): Promise<{ ms: number; events: number }> {
  const cloud = await OciCloud.create({ ...config.oci, concurrency });
  const started = performance.now();
  const { events } = await cloud.discoverEvents();
  return { ms: performance.now() - started, events: events.length };
}

// What the SDK's modules alone take, so the sweep's own share of the peak can be told apart.
const rssBeforeMiB = Math.round((process.memoryUsage().rss / 1_048_576) * 10) / 10;

try {
  const fast = await sweep(config.oci.concurrency);
  const serial = await sweep(1);
  if (fast.events !== 1_000 || serial.events !== 1_000) {
    throw new Error(`expected 1,000 events, found ${fast.events} and ${serial.events}`);
  }
  const ratio = serial.ms / fast.ms;
  report(`OCI discovery sweep (${FLEET}, ${LATENCY} per call, tenancy ${tenancy.slice(0, 24)}…)`, {
    [`wall time at concurrency ${config.oci.concurrency}`]: `${(fast.ms / 1000).toFixed(2)} s`,
    'wall time at concurrency 1': `${(serial.ms / 1000).toFixed(2)} s`,
    'speed-up': `${ratio.toFixed(1)}x (target >= 6x) ${ratio >= 6 ? 'met' : 'NOT met'}`,
    'events found': fast.events,
    'peak RSS (adapter process)': `${peakRssMiB()} MiB (${rssBeforeMiB} MiB before the sweeps)`,
  });
} finally {
  sim.kill('SIGTERM');
  await sim.catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
