/** What must hold between the state file and the audit log, whatever happened to the process. */
import { readFileSync } from 'node:fs';
import type { StateFile } from '../../src/store/job-store.js';

export interface Audited {
  type: string;
  seq: number;
  jobId?: string;
  eventId?: string;
  job?: { history: unknown[] };
}
/** The audit log's whole records (a torn last line, from a kill mid-append, is none). */
export const auditOf = (auditFile: string): Audited[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line));

/**
 * What must hold between the state and the audit log: seqs 1..n each once; per job one
 * `created`, one `transition` per step of its history, one `finished` once it is done; and no
 * record about a job the state never saw. Right after a crash (`lagging`) the audit log may
 * still lack the newest records (start-up appends them), but it never holds more than the state.
 */
export function auditMatchesState(state: StateFile, audit: Audited[], { lagging = false } = {}): string[] {
  const problems: string[] = [];
  audit.forEach((record, index) => {
    if (record.seq !== index + 1) problems.push(`record ${index + 1} has seq ${record.seq}`);
  });
  const about = (jobId: string, type: string) => audit.filter((r) => r.jobId === jobId && r.type === type);
  const expectJob = (jobId: string, steps: number | undefined, finished: number) => {
    const counts = [
      about(jobId, 'created').length,
      about(jobId, 'transition').length,
      about(jobId, 'finished').length,
    ];
    const expected = [1, steps, finished];
    const wrong = counts.some((count, i) => {
      const want = expected[i];
      if (want === undefined) return !lagging;
      return lagging ? count > want : count !== want;
    });
    if (wrong)
      problems.push(
        `${jobId}: created/transition/finished ${counts.join('/')}, expected ${lagging ? 'at most ' : ''}${expected.join('/')}`,
      );
  };
  for (const job of Object.values(state.jobs)) expectJob(job.id, job.history.length, 0);
  for (const { jobId } of Object.values(state.finished)) {
    expectJob(jobId, about(jobId, 'finished')[0]?.job?.history.length, 1);
  }
  const known = new Set([...Object.keys(state.jobs), ...Object.values(state.finished).map((f) => f.jobId)]);
  for (const record of audit) {
    if (record.jobId && record.type !== 'refused' && !known.has(record.jobId))
      problems.push(`seq ${record.seq} (${record.type}) is about ${record.jobId}, which the state never saw`);
  }
  return problems;
}
