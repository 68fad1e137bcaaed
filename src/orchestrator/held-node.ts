import type { MaintenanceJob } from '../domain/job.js';
import { drainOwner } from '../domain/node.js';
import type { Logger } from '../log.js';
import type { Cluster, Notifier } from '../ports.js';

export interface HeldNodePorts {
  cluster: Pick<Cluster, 'status'>;
  notifier: Notifier;
  log: Logger;
}

/**
 * A job ended before it worked (denied, or its event canceled by OCI) while its node carries its
 * reason: the job before it on the node passed and handed its drain over. Nothing resumes such a
 * node (fail closed), so the thread says how to give it back by hand.
 */
export async function tellIfHeldFor(job: MaintenanceJob, ports: HeldNodePorts): Promise<void> {
  if (!job.node) return;
  const node = job.node;
  try {
    if (drainOwner((await ports.cluster.status(node)).reason) !== job.id) return;
  } catch (error) {
    ports.log.warn(
      { jobId: job.id, eventId: job.eventId, node, err: error },
      `could not read ${node} after job ${job.id} ended: if its reason names that job, resume it by hand`,
    );
    return;
  }
  await ports.notifier.progress(
    job,
    `${node} stays drained: the job before this one on ${node} handed its drain to job ${job.id}, ` +
      `which ended (${job.outcome}) without working it, so nothing resumes it. ` +
      `Check the node, then resume it by hand: pitstop node resume ${node} --force`,
  );
}
