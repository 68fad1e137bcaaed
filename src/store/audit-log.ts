import { type FileHandle, open } from 'node:fs/promises';

/**
 * The append-only audit log: one JSON object per line, fsynced before `append` resolves.
 * It is never rewritten; it is the record of who decided what and what happened to each node.
 */
export class AuditLog {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AuditLog> {
    return new AuditLog(path, await open(path, 'a', 0o600));
  }

  /** Appends the entries as one write; returns the bytes written. */
  async append(entries: readonly object[]): Promise<number> {
    if (entries.length === 0) return 0;
    const data = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
    await this.handle.write(data);
    await this.handle.datasync();
    return data.byteLength;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
