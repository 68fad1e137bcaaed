import { type FileHandle, open } from 'node:fs/promises';

/**
 * An append-only file of JSON lines, each append one write fsynced before it resolves. The
 * audit log is one (never rewritten: who decided what, what happened to each node); the
 * write-ahead log is another, emptied once a snapshot holds its records.
 */
export class JsonLinesFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
  ) {}

  static async open(path: string): Promise<JsonLinesFile> {
    const handle = await open(path, 'a', 0o600);
    return new JsonLinesFile(path, handle, (await handle.stat()).size);
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends the entries as one write; returns the bytes written. */
  async append(entries: readonly object[]): Promise<number> {
    if (entries.length === 0) return 0;
    const data = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
    await this.handle.write(data);
    await this.handle.datasync();
    this.size += data.byteLength;
    return data.byteLength;
  }

  async truncate(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.sync();
    this.size = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
