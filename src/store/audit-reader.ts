import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MaintenanceJob } from '../domain/job.js';

/**
 * The audit log's records that `keep` accepts, oldest first, read line by line (the log only
 * grows). A line that is not JSON (the torn tail of a crash) is skipped; a missing file is empty.
 */
export async function scanAudit(path: string, keep: (record: unknown) => boolean): Promise<unknown[]> {
  const kept: unknown[] = [];
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      if (keep(record)) kept.push(record);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  } finally {
    stream.destroy();
  }
  return kept;
}

/**
 * The finished jobs `keep` accepts, oldest first, from the audit log's `finished` records (a job
 * leaves the live state when it is done; its whole last state is archived there).
 */
export async function finishedJobs(
  path: string,
  keep: (job: MaintenanceJob) => boolean,
): Promise<MaintenanceJob[]> {
  const records = await scanAudit(path, (record) => (record as { type?: unknown }).type === 'finished');
  return records.flatMap((record) => {
    const parsed = MaintenanceJob.safeParse((record as { job?: unknown }).job);
    return parsed.success && keep(parsed.data) ? [parsed.data] : [];
  });
}
