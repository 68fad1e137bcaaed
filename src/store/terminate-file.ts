import { z } from 'zod';
import { Termination } from '../domain/terminate.js';
import { writeFileAtomic } from './atomic-file.js';
import { readSideFile } from './json-side-file.js';

const TerminateFileContent = z.object({ terminations: z.record(z.string(), Termination) });

/**
 * The terminate requests (two-person rule), in their own file beside the state file
 * (`<state>.terminate.json`), replaced atomically by the holder of the state lock. They outlive
 * their jobs, which are finished and archived in the audit log by the time anyone asks.
 */
export class TerminateFile {
  private constructor(
    readonly path: string,
    private readonly records: Map<string, Termination>,
  ) {}

  static async open(path: string): Promise<TerminateFile> {
    const content = await readSideFile(
      path,
      TerminateFileContent,
      'terminate requests file',
      'the terminate requests file does not hold terminate requests (jobId, instance, who asked)',
    );
    return new TerminateFile(path, new Map(Object.entries(content?.terminations ?? {})));
  }

  all(): Termination[] {
    return [...this.records.values()];
  }

  get(jobId: string): Termination | undefined {
    return this.records.get(jobId);
  }

  /** Durable before it resolves. */
  async set(record: Termination): Promise<void> {
    const next = new Map(this.records).set(record.jobId, Termination.parse(record));
    await writeFileAtomic(this.path, JSON.stringify({ terminations: Object.fromEntries(next) }));
    this.records.set(record.jobId, next.get(record.jobId)!);
  }
}
