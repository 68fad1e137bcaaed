import type { FileHandle } from 'node:fs/promises';
import type { z } from 'zod';
import { openOwnerOnly } from './owner-only.js';
import { writing } from './write-error.js';

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

/**
 * An append-only file of JSON lines (0600), each append written whole and fsynced before it
 * resolves. The audit log is one (never rewritten: who decided what, what happened to each
 * node); the write-ahead log and the Slack outbox are others, emptied or compacted once a
 * snapshot holds their records.
 */
export class JsonLinesFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
  ) {}

  /**
   * Opens the file for appending. A torn last line (a crash or a full disk mid-append) is cut
   * off first: its writer was never told it was saved, and a record appended after it would
   * share its line and be lost with it. Callers read the file (and refuse damage) before this.
   */
  static async open(path: string): Promise<JsonLinesFile> {
    const handle = await openOwnerOnly(path, 'a+');
    try {
      const size = (await handle.stat()).size;
      const end = await endOfLastLine(handle, size);
      if (end < size) {
        await writing(path, async () => {
          await handle.truncate(end);
          await handle.sync();
        });
      }
      return new JsonLinesFile(path, handle, end);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get bytes(): number {
    return this.size;
  }

  /** The bytes `append` would write for these entries. */
  static encode(entries: readonly object[]): Buffer {
    return Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
  }

  /** Appends the entries as one write; returns the bytes written. */
  append(entries: readonly object[]): Promise<number> {
    return this.appendEncoded(JsonLinesFile.encode(entries));
  }

  /**
   * Appends encoded entries, durable when it resolves. A write may be short (the disk filling
   * up), so it goes on until all is written; if it fails, what it wrote is cut off again, so
   * the file still ends in a whole line and a later append after space is freed starts clean.
   */
  async appendEncoded(data: Buffer): Promise<number> {
    if (data.byteLength === 0) return 0;
    await writing(this.path, async () => {
      try {
        for (let offset = 0; offset < data.byteLength; ) {
          offset += (await this.handle.write(data, offset)).bytesWritten;
        }
        await this.handle.datasync();
      } catch (error) {
        await this.handle.truncate(this.size).catch(() => {});
        throw error;
      }
    });
    this.size += data.byteLength;
    return data.byteLength;
  }

  async truncate(): Promise<void> {
    await writing(this.path, async () => {
      await this.handle.truncate(0);
      await this.handle.sync();
    });
    this.size = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Where the file's last whole line ends (0 when it has none), reading backwards from `size`. */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

/**
 * The whole lines of an open file, newest first, read backwards in chunks, so a long log costs
 * only as much of its tail as the caller reads. A torn last line is not one of them.
 */
export async function* linesFromEnd(handle: FileHandle): AsyncGenerator<string> {
  let end = (await handle.stat()).size;
  let carry = Buffer.alloc(0);
  let tornTail = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    end = start;
    let rest = Buffer.concat([chunk, carry]);
    for (let newline = rest.lastIndexOf(NEWLINE); newline >= 0; newline = rest.lastIndexOf(NEWLINE)) {
      if (tornTail) tornTail = false;
      else yield rest.subarray(newline + 1).toString('utf8');
      rest = rest.subarray(0, newline);
    }
    carry = rest;
  }
  if (!tornTail) yield carry.toString('utf8');
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
