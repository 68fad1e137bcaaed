import { type JobAction, type MaintenanceJob, newJob } from '../../src/domain/job.js';
import { jobReason } from '../../src/domain/node.js';
import { decideVerdict } from '../../src/domain/verdict.js';
import type { Clock, Cloud, Cluster } from '../../src/ports.js';
import type { JobStore } from '../../src/store/job-store.js';

/** What making the job needs: the event from OCI, Slurm to keep the node out, the clock. */
export interface KeptOutParts {
  cloud: Pick<Cloud, 'getEvent'>;
  cluster: Pick<Cluster, 'markFailed'>;
  clock: Clock;
}

/** A GPU that fell off the bus: FAIL, and the hardware needs OCI. */
export const FAILED_VERDICT = decideVerdict([
  {
    check: 'nvidia-smi-q',
    status: 'fail',
    detail: 'GPU 3 fell off the bus (Xid 79)',
    action: 'terminate',
    gpu: '3',
  },
]);

/**
 * A job that drained `node`, found it FAIL and kept it out, walked through the real store to
 * `done` (so it is archived in the audit log, as after a real run), with the node held out in
 * Slurm with the job's reason, as triage leaves it. A job a sweep made for the event is taken
 * as it is. Resolves with the job in bookkeeping, as the verdict's thread line shows it.
 */
export async function keptOutJob(store: JobStore, parts: KeptOutParts, eventId: string, node: string) {
  let job: MaintenanceJob =
    store.findByEvent(eventId) ??
    (await store.create(newJob(await parts.cloud.getEvent(eventId), parts.clock.now(), node)));
  const actions: JobAction[] = [
    { type: 'approve', by: 'U0CAROL', via: 'slack' },
    { type: 'drained', drainedBy: 'pitstop' },
    { type: 'scheduled', windowStart: parts.clock.now().toISOString(), workRequestId: 'wr-1' },
    { type: 'maintenance_ended', state: 'SUCCEEDED' },
    { type: 'health_checked', verdict: FAILED_VERDICT },
    { type: 'triaged', result: 'kept_out', reason: `${node} kept out (DRAIN)` },
  ];
  for (const action of actions) job = await store.apply(job.id, action);
  const held = await parts.cluster.markFailed(node, jobReason(job.id, 'health FAIL'), 'DRAIN');
  if (!held.ours) throw new Error(`test: ${node} could not be kept out: ${held.why}`);
  const inBookkeeping = job;
  await store.apply(job.id, { type: 'recorded' });
  return inBookkeeping;
}
