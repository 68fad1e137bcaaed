/**
 * Store throughput with 1,000 active jobs: transitions per second and bytes written per
 * transition, each transition durable (fsynced) before its caller goes on.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/clock.js';
import { toMaintenanceEvent } from '../src/domain/event.js';
import { type JobAction, newJob } from '../src/domain/job.js';
import { decideVerdict } from '../src/domain/verdict.js';
import { JobStore } from '../src/store/job-store.js';
import { peakRssMiB, report } from './report.js';

const JOBS = 1_000;
const SERIAL = 300;

const event = (n: number) =>
  toMaintenanceEvent({
    id: `ocid1.instancemaintenanceevent.oc1.iad.${'a'.repeat(40)}${n}`,
    instanceId: `ocid1.instance.oc1.iad.${'b'.repeat(50)}${n}`,
    compartmentId: `ocid1.compartment.oc1..${'c'.repeat(50)}`,
    displayName: `gpu-${n}`,
    maintenanceCategory: 'FLEXIBLE',
    maintenanceReason: 'HARDWARE_REPLACEMENT',
    instanceAction: 'REBOOT_MIGRATION',
    alternativeResolutionActions: ['REBOOT_MIGRATION', 'TERMINATE'],
    timeWindowStart: '2026-12-01T10:00:00Z',
    timeHardDueDate: '2026-12-08T10:00:00Z',
    canReschedule: true,
    timeCreated: '2026-11-20T08:00:00Z',
    lifecycleState: 'SCHEDULED',
    description: 'The underlying hardware requires maintenance.',
    additionalDetails: {
      faultDetails: JSON.stringify([{ faultId: 'HPCRDMA-0002-02', faultSummary: 'RDMA NIC degraded' }]),
    },
  });

const pass = decideVerdict([
  { check: 'gpu-count', status: 'pass', detail: '8 of 8 GPUs', action: 'none' },
  { check: 'ecc', status: 'pass', detail: 'no uncorrectable ECC errors', action: 'none' },
]);
const walk: JobAction[] = [
  { type: 'approve', by: 'U0123456', via: 'slack' },
  { type: 'drained', drainedBy: 'pitstop' },
  { type: 'scheduled', windowStart: '2026-12-01T10:05:00Z', workRequestId: 'ocid1.workrequest.oc1.iad.x' },
  { type: 'maintenance_ended', state: 'SUCCEEDED' },
  { type: 'health_checked', verdict: pass },
  { type: 'triaged', result: 'resumed', reason: 'health PASS' },
];

const dir = mkdtempSync(join(tmpdir(), 'pitstop-bench-store-'));
const stateFile = join(dir, 'state.json');
const store = await JobStore.open({ stateFile, auditFile: join(dir, 'audit.jsonl'), clock: systemClock });
const jobs = await Promise.all(
  Array.from({ length: JOBS }, (_, n) => store.create(newJob(event(n), new Date(), `gpu-${n}`))),
);

// 1,000 workers, each awaiting its own transition before the next, as the pipeline does.
let before = store.stats();
let started = performance.now();
await Promise.all(
  jobs.map(async (job) => {
    for (const action of walk) await store.apply(job.id, action);
  }),
);
let seconds = (performance.now() - started) / 1000;
let after = store.stats();
const concurrent = JOBS * walk.length;
const fileBytes = statSync(stateFile).size;

report(`store: ${JOBS.toLocaleString('en-US')} active jobs, 1,000 concurrent workers`, {
  transitions: concurrent,
  'transitions/s': Math.round(concurrent / seconds),
  'state writes (group commits)': after.writes - before.writes,
  'transitions per write': Math.round((concurrent / (after.writes - before.writes)) * 10) / 10,
  'bytes written per transition': Math.round(
    (after.stateBytes + after.auditBytes - before.stateBytes - before.auditBytes) / concurrent,
  ),
  'snapshots during the run': after.snapshots - before.snapshots,
  'snapshot size (bytes)': fileBytes,
});

// One caller at a time: no one to share a write with, so every transition pays a whole fsynced write.
const serialJobs = jobs.slice(0, SERIAL);
before = store.stats();
started = performance.now();
for (const job of serialJobs) await store.apply(job.id, { type: 'recorded' });
seconds = (performance.now() - started) / 1000;
after = store.stats();
report(`store: one caller at a time (${SERIAL} transitions, ${JOBS}→${JOBS - SERIAL} active jobs)`, {
  'transitions/s': Math.round(SERIAL / seconds),
  'ms per transition': Math.round((seconds * 1000 * 100) / SERIAL) / 100,
  'bytes written per transition': Math.round(
    (after.stateBytes + after.auditBytes - before.stateBytes - before.auditBytes) / SERIAL,
  ),
  'peak RSS (MiB)': peakRssMiB(),
});

await store.close();
rmSync(dir, { recursive: true, force: true });
