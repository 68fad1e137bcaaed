import { type FileHandle, open } from 'node:fs/promises';
import type { z } from 'zod';

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

/**
 * Reads the records of a JSON-lines log. The last line may be torn by a crash mid-append: its
 * writer was never told it was saved, so it is dropped. Damage anywhere else is `damaged(line, problem)`.
 */
export function parseJsonLines<T>(
  text: string,
  schema: z.ZodType<T>,
  damaged: (line: number, problem: string) => Error,
): T[] {
  // Whether or not the text ends in a newline, the last piece of the split is not a whole record.
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, index) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw damaged(index + 1, (error as Error).message);
      }
      const record = schema.safeParse(json);
      if (!record.success) throw damaged(index + 1, record.error.issues[0]!.message);
      return record.data;
    });
}
