import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: every temp dir the tests make (state files, simulator keys, stand-in
 * tools, Slurm and sshd scratch) goes under one directory per run, removed when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'pitstop-test-'));
  // munged refuses a socket under a directory not searchable by all ("Socket is inaccessible").
  await chmod(dir, 0o755);
  process.env.TMPDIR = dir;
  return () => rm(dir, { recursive: true, force: true });
}
