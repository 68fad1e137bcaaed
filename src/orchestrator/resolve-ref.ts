import type { MaintenanceJob } from '../domain/job.js';

/** A reference to a job that names none, or more than one: the message lists what would match. */
export class JobRefError extends Error {
  override readonly name = 'JobRefError';
}

const describe = (job: MaintenanceJob) => `${job.eventId} (${job.node ?? 'unmapped'}, ${job.phase})`;

/**
 * The active job an operator means by `ref`: an event OCID, a job id, or a node name that
 * only one active job carries. Anything else is refused with the candidates, never guessed.
 */
export function resolveRef(jobs: readonly MaintenanceJob[], ref: string): MaintenanceJob {
  const exact = jobs.find((job) => job.eventId === ref || job.id === ref);
  if (exact) return exact;
  const onNode = jobs.filter((job) => job.node === ref);
  if (onNode.length === 1) return onNode[0]!;
  if (onNode.length > 1) {
    throw new JobRefError(
      `node ${ref} has ${onNode.length} active jobs; name the event instead: ${onNode.map(describe).join(', ')}`,
    );
  }
  const known =
    jobs.length > 0 ? `active jobs: ${jobs.map(describe).join(', ')}` : 'there are no active jobs';
  throw new JobRefError(`no active job for ${ref} (an event OCID or a node name); ${known}`);
}
