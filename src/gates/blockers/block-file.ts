import { readFile } from 'node:fs/promises';
import type { Blocker } from '../blocker.js';

/** BLOCK_FILE: while the file exists nothing new drains; its first line says why. */
export function blockFile(path: string): Blocker {
  return {
    name: 'BLOCK_FILE',
    scope: 'fleet',
    async holds() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return `cannot read the freeze file ${path} (${(error as Error).message}); new drains wait until it can be read or is removed`;
      }
      const reason = text.split('\n')[0]!.trim() || 'no reason given';
      return `frozen by ${path}: ${reason} (remove the file to let new drains start)`;
    },
  };
}
