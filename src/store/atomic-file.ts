import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openOwnerOnly } from './owner-only.js';
import { writing } from './write-error.js';

/**
 * Replaces `path` with `text` (0600) so that a crash leaves either the old or the new file, never
 * a torn one: write a sibling temp file, fsync it, rename it over, fsync the directory. A write
 * that fails (the disk full) leaves the old file and no temp file, and rejects with a
 * StoreWriteError naming `path`. Returns the bytes written.
 */
export function writeFileAtomic(path: string, text: string): Promise<number> {
  return writing(path, async () => {
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    const data = Buffer.from(text, 'utf8');
    const handle = await openOwnerOnly(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    await rename(temp, path);
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return data.byteLength;
  });
}

/** The file's text, or undefined when it does not exist. Other errors (EACCES, EISDIR) throw. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
