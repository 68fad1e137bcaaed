import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, unlink } from 'node:fs/promises';
import { openOwnerOnly } from './owner-only.js';

export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      `${lockFile}: the state file is in use by another Pitstop (pid ${pid}). ` +
        'Two processes acting on the same jobs could drain or schedule twice; stop the other one first.',
    );
  }
}

/**
 * A process's identity: its pid and, on Linux, its start time in clock ticks. The start time
 * tells a live holder from a recycled pid (in a container Pitstop is often pid 1 on every start).
 */
function identity(pid: number): string | undefined {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") "; starttime is field 22.
    return `${pid} ${stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19]}`;
  } catch {
    return `${pid}`;
  }
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The pid in a lock or claim file's content while that process runs; undefined once it is gone. */
function livePid(held: string): number | undefined {
  const pid = Number.parseInt(held, 10);
  return Number.isInteger(pid) && identity(pid) === held ? pid : undefined;
}

/** A file's trimmed content, or undefined when it is not there (any more). */
async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates `path` as a link to the complete `template`: all or nothing, EEXIST atomically. */
async function linkExclusive(template: string, path: string): Promise<boolean> {
  try {
    await link(template, path);
    return true;
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw error;
  }
}

/** The `n`th claim to remove the stale lock whose content is `stale`. */
export const takeoverClaim = (lockFile: string, stale: string, n: number) =>
  `${lockFile}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.${n}`;

/**
 * Removes the lock whose holder is gone (its content `stale`) unless another live process is
 * doing so. Only the holder of a claim named after that content may remove it, so what it
 * removes is that stale lock and never a live one another process has just taken. A claim whose
 * holder died is passed over for the next (`.1`, `.2`, …) and left in place, so no second
 * claimant can take its number. Once the stale lock is gone its content never returns (its
 * holder is dead), so a late claimant finds nothing to remove.
 */
async function removeStale(lockFile: string, stale: string, template: string): Promise<void> {
  const claims: string[] = [];
  for (;;) {
    const claim = takeoverClaim(lockFile, stale, claims.length + 1);
    claims.push(claim);
    if (await linkExclusive(template, claim)) break;
    const claimant = livePid((await readIfThere(claim)) ?? '');
    if (claimant !== undefined) throw new StateLockedError(lockFile, claimant);
  }
  try {
    if ((await readIfThere(lockFile)) === stale) await unlink(lockFile);
  } finally {
    await Promise.all(claims.map((claim) => unlink(claim).catch(() => {})));
  }
}

/**
 * An exclusive lock next to the state file, holding the holder's identity. It appears complete
 * or not at all (written to a temporary file, synced, then linked). A lock whose holder no
 * longer runs (a crash) is taken over; a live holder, this process included, is an error.
 */
export async function acquireStateLock(lockFile: string): Promise<() => Promise<void>> {
  const mine = identity(process.pid)!;
  const template = `${lockFile}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await openOwnerOnly(template, 'wx');
  try {
    await handle.writeFile(`${mine}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (await linkExclusive(template, lockFile)) return () => unlink(lockFile).catch(() => {});
      const held = await readIfThere(lockFile);
      if (held === undefined) continue; // released meanwhile
      const pid = livePid(held);
      if (pid !== undefined) throw new StateLockedError(lockFile, pid);
      await removeStale(lockFile, held, template);
    }
  } finally {
    await unlink(template).catch(() => {});
  }
  throw new Error(`${lockFile}: could not take the state lock (it keeps reappearing)`);
}
