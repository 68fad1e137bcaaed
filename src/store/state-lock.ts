import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';

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

/**
 * An exclusive lock next to the state file. A lock whose holder no longer runs (a crash) is
 * taken over; a live holder, this process included, is an error.
 */
export async function acquireStateLock(lockFile: string): Promise<() => Promise<void>> {
  const mine = identity(process.pid)!;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(`${mine}\n`);
      await handle.close();
      return () => unlink(lockFile).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = (await readFile(lockFile, 'utf8').catch(() => '')).trim();
      const pid = Number.parseInt(held, 10);
      if (Number.isInteger(pid) && identity(pid) === held) throw new StateLockedError(lockFile, pid);
      await unlink(lockFile).catch(() => {});
    }
  }
  throw new Error(`${lockFile}: could not take the state lock (it keeps reappearing)`);
}
