/**
 * A process that contends for the state lock on command, for the race test: reads lines on
 * stdin (`go`: try to take the lock, `release`: let it go) and answers each on stdout
 * (`won`, `locked`, `error <message>`, `released`). Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { acquireStateLock, StateLockedError } from '../../src/store/state-lock.js';

const lockFile = process.argv[2]!;
let release: (() => Promise<void>) | undefined;

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') {
    try {
      release = await acquireStateLock(lockFile);
      process.stdout.write('won\n');
    } catch (error) {
      process.stdout.write(
        error instanceof StateLockedError ? 'locked\n' : `error ${(error as Error).message}\n`,
      );
    }
  } else if (line === 'release') {
    await release?.();
    release = undefined;
    process.stdout.write('released\n');
  }
}
await release?.();
