import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** Null when this process may mount a tmpfs, else why not (for `missingTool`). */
export const tmpfsMissing = (): string | null =>
  process.getuid?.() === 0
    ? null
    : 'mounting a small tmpfs (a disk that fills up) needs root: run the tests as root';

export interface Tmpfs {
  dir: string;
  unmount(): Promise<void>;
}

/** A real filesystem of `bytes` on a new directory; fails, naming why, when it cannot be mounted. */
export async function mountTmpfs(bytes: number): Promise<Tmpfs> {
  const dir = mkdtempSync(join(tmpdir(), 'pitstop-tmpfs-'));
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], {
    reject: false,
  });
  if (mounted.exitCode !== 0) {
    throw new Error(
      `could not mount a ${bytes}-byte tmpfs on ${dir} (${mounted.stderr || mounted.message}): ` +
        'the disk-full tests need root with CAP_SYS_ADMIN (util-linux mount)',
    );
  }
  return {
    dir,
    unmount: async () => {
      // Lazy: a file a failed test left open must not keep the mount (and the machine's memory) around.
      await execa('umount', ['--lazy', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a filler file until the disk is full; returns its path (remove it to free the space). */
export async function fillUp(dir: string): Promise<string> {
  const path = join(dir, 'filler');
  const handle = await open(path, 'a');
  const block = Buffer.alloc(4096, 120);
  try {
    for (;;) await handle.write(block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
  return path;
}
