import { dirname } from 'node:path';

/**
 * A write of the store (or the Slack outbox) that failed: says which file, whether the disk is
 * full, and what to do. The change it carried is not known to be saved; the job stays at its
 * last saved step and resumes there once Pitstop restarts on a disk with room.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  readonly code: string | undefined;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    super(
      full
        ? `${file}: the disk is full (${code}); the change was not saved. Free space where ${dirname(file)} is ` +
            'and restart Pitstop: each job resumes from its last saved step'
        : `${file}: cannot write (${(cause as Error).message}); the change was not saved. Fix the disk and ` +
            'restart Pitstop: each job resumes from its last saved step',
      { cause },
    );
    this.code = code;
  }
}

/** Runs a write of `file`, turning its failure into a StoreWriteError. */
export async function writing<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw error instanceof StoreWriteError ? error : new StoreWriteError(file, error);
  }
}
