import { z } from 'zod';
import type { MaintenanceJob } from '../domain/job.js';

/**
 * A digest's id is the list of its jobs, so Approve all needs no state to find them: the button's
 * value (at most 2,000 characters) holds up to DIGEST_MAX_JOBS job ids without their `job-` prefix.
 */
export const DIGEST_MAX_JOBS = 100;

const JOB_PREFIX = 'job-';
const DigestId = z.string().regex(/^[0-9a-f]{16}(,[0-9a-f]{16}){0,99}$/, 'not a digest id');

export const digestIdFor = (jobs: readonly Pick<MaintenanceJob, 'id'>[]) =>
  jobs.map((job) => job.id.slice(JOB_PREFIX.length)).join(',');

/** The job ids an Approve all button carries (a value from Slack: checked, never trusted), or undefined. */
export function jobIdsOfDigest(value: unknown): string[] | undefined {
  const id = DigestId.safeParse(value);
  return id.success ? id.data.split(',').map((hex) => `${JOB_PREFIX}${hex}`) : undefined;
}

/** The digests for a sweep's new jobs: one per DIGEST_MAX_JOBS, in order. */
export function digestsOf(jobs: readonly MaintenanceJob[]): { id: string; jobs: MaintenanceJob[] }[] {
  const digests = [];
  for (let start = 0; start < jobs.length; start += DIGEST_MAX_JOBS) {
    const chunk = jobs.slice(start, start + DIGEST_MAX_JOBS);
    digests.push({ id: digestIdFor(chunk), jobs: chunk });
  }
  return digests;
}
