import { chmod, type FileHandle, mkdir, open, stat } from 'node:fs/promises';

/**
 * The store's files (state, write-ahead log, lock, audit log, pause file, Slack outbox) are
 * created 0600 and its directories 0700 whatever the umask: the mode is set again on the handle
 * once created. What already exists is checked at start-up:
 * - writable by another user, or owned by one: refused, because whoever can change these files
 *   can make Pitstop act on jobs it never saw (say, resume a node with no PASS), and whoever can
 *   write to their directory can replace them, or plant a link where Pitstop appends;
 * - readable by others only: a warning naming the chmod to run, and start-up goes on. The files
 *   hold no secrets (node names, event ids, Slack user ids), and earlier Pitstops made the state
 *   directory with the umask's mode (often 0755), so refusing would stop deployments at upgrade.
 */
export class LooseModeError extends Error {
  override readonly name = 'LooseModeError';
  constructor(
    readonly path: string,
    problem: string,
    fix: string,
  ) {
    super(
      `${path}: ${problem}, so another user could change what Pitstop acts on. Pitstop did not start. ${fix}`,
    );
  }
}

type Kind = 'file' | 'directory';
const OWNER_ONLY: Record<Kind, number> = { file: 0o600, directory: 0o700 };
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Checks a file or directory that may exist: throws LooseModeError when another user may change
 * it, returns a warning when others may read it, undefined when it is owner-only or missing.
 */
export async function checkOwnerOnly(path: string, kind: Kind): Promise<string | undefined> {
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(path);
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw error;
  }
  const chmodTo = `chmod ${octal(OWNER_ONLY[kind]).slice(1)} ${path}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new LooseModeError(
      path,
      `this ${kind} belongs to uid ${stats.uid}, not to Pitstop's user (uid ${uid})`,
      `Run Pitstop as its owner, or give it to Pitstop's user (chown ${uid} ${path}; ${chmodTo}).`,
    );
  }
  if (stats.mode & 0o022) {
    throw new LooseModeError(
      path,
      `this ${kind} is writable by ${stats.mode & 0o002 ? 'every user' : 'its group'} (mode ${octal(stats.mode)})`,
      kind === 'directory'
        ? `Run ${chmodTo}, or point the setting at a new directory (Pitstop creates it 0700).`
        : `Check that nobody changed it, then run ${chmodTo}.`,
    );
  }
  if (stats.mode & 0o077) {
    const fix =
      kind === 'directory' ? `run ${chmodTo}, or give Pitstop a directory of its own` : `run ${chmodTo}`;
    return `${path}: this ${kind} is readable by other users (mode ${octal(stats.mode)}); ${fix}`;
  }
  return undefined;
}

/** Creates the directory (and its parents) 0700, or checks the one there as `checkOwnerOnly` does. */
export async function ownerOnlyDirectory(path: string): Promise<string | undefined> {
  const created = await mkdir(path, { recursive: true, mode: OWNER_ONLY.directory });
  if (created === undefined) return checkOwnerOnly(path, 'directory');
  await chmod(path, OWNER_ONLY.directory);
  return undefined;
}

/**
 * Opens a file with `flags` ('a+', 'w', 'wx'); the file is 0600 once open, whatever the umask.
 * For 'a+' only a file this call creates is changed: one that was there was checked at start-up.
 */
export async function openOwnerOnly(path: string, flags: 'a+' | 'w' | 'wx'): Promise<FileHandle> {
  if (flags === 'a+') {
    try {
      return await created(await open(path, 'ax+', OWNER_ONLY.file));
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error;
      return open(path, 'a+');
    }
  }
  return created(await open(path, flags, OWNER_ONLY.file));
}

async function created(handle: FileHandle): Promise<FileHandle> {
  try {
    await handle.chmod(OWNER_ONLY.file);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
