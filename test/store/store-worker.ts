/**
 * A process that works jobs through a JobStore, for the crash tests (they kill it with SIGKILL):
 *
 *   store-worker.ts STATE AUDIT work            takes every open job to its end and starts new
 *                                               ones, four at a time, until it is killed
 *   store-worker.ts STATE AUDIT crash:<point>   creates event 1 if new, then kills itself with
 *                                               SIGKILL at <point> while it creates event 2
 *
 * The points are places inside one commit, reached through JsonLinesFile (this process's own
 * copy of it; nothing in src/ knows about them): `mid-wal` (half the log line written),
 * `after-wal` (the log line durable, the audit log not yet written), `mid-audit` (half the
 * audit line written), `after-snapshot` (a snapshot renamed into place, the log not yet emptied).
 */
import { appendFileSync } from 'node:fs';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { JobStore } from '../../src/store/job-store.js';
import { JsonLinesFile } from '../../src/store/json-lines-file.js';
import { eventNo, NEXT } from './walk.js';

const [stateFile, auditFile, mode] = process.argv.slice(2) as [string, string, string];
const clock = new ManualClock('2026-12-01T09:00:00Z');

const die = () => process.kill(process.pid, 'SIGKILL');

function armCrash(point: string) {
  const appendEncoded = JsonLinesFile.prototype.appendEncoded;
  const truncate = JsonLinesFile.prototype.truncate;
  const wal = `${stateFile}.wal`;
  JsonLinesFile.prototype.appendEncoded = async function (this: JsonLinesFile, data: Buffer) {
    const torn =
      (point === 'mid-wal' && this.path === wal) || (point === 'mid-audit' && this.path === auditFile);
    if (torn) {
      appendFileSync(this.path, data.subarray(0, Math.ceil(data.byteLength / 2)));
      die();
    }
    if (point === 'after-wal' && this.path === auditFile) die();
    return appendEncoded.call(this, data);
  };
  JsonLinesFile.prototype.truncate = async function (this: JsonLinesFile) {
    if (point === 'after-snapshot' && this.path === wal) die();
    return truncate.call(this);
  };
}

const point = mode.startsWith('crash:') ? mode.slice('crash:'.length) : undefined;
const store = await JobStore.open({
  stateFile,
  auditFile,
  clock,
  // Small, so the work mode snapshots often and after-snapshot snapshots at its first commit.
  compactAtBytes: point === 'after-snapshot' ? 1 : 16 * 1024,
});

if (point !== undefined) {
  if (!store.knowsEvent(eventNo(1).id)) await store.create(newJob(eventNo(1), clock.now(), 'gpu-1'));
  armCrash(point);
  await store.create(newJob(eventNo(2), clock.now(), 'gpu-2'));
  process.stdout.write(`the crash point ${point} was never reached\n`);
  process.exit(1);
}

async function walk(jobId: string) {
  for (let job = store.get(jobId); job; job = store.get(jobId)) {
    // A refusal now and then: an audit record of no job change, beside the job's own.
    if (job.version % 3 === 1) void store.writeAudit({ type: 'refused', by: 'U9', jobId, action: 'approve' });
    await store.apply(jobId, NEXT[job.phase]!);
  }
}

let next = 1;
const nextNew = () => {
  while (store.knowsEvent(eventNo(next).id)) next++;
  return next++;
};
await Promise.all(store.list().map((job) => walk(job.id)));
const lane = async () => {
  for (;;) {
    const n = nextNew();
    const job = await store.create(newJob(eventNo(n), clock.now(), `gpu-${n}`));
    await walk(job.id);
  }
};
await Promise.all([lane(), lane(), lane(), lane()]);
