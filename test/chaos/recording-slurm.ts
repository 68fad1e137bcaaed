import { appendFile, chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '../support/slurm-cluster.js';
import type { SlurmChange } from './invariants.js';

/**
 * A SLURM_BIN_DIR whose `scontrol` runs the real one and, when Slurm accepted a node update,
 * writes its arguments down (one per line, tab-separated): the node updates a `pitstop serve`
 * process sent, for the invariants. A human's updates go into the same log, in order.
 */
export interface RecordingSlurmBin {
  dir: string;
  /** The updates Slurm accepted since the last `clear`, oldest first. */
  changes(): Promise<SlurmChange[]>;
  human(args: string[]): Promise<void>;
  clear(): Promise<void>;
}

const HUMAN = '#human';

export async function recordingSlurmBin(): Promise<RecordingSlurmBin> {
  const dir = await mkdtemp(join(tmpdir(), 'pitstop-chaos-slurm-bin-'));
  const log = join(dir, 'updates.log');
  await writeFile(log, '');
  const scontrol = findBinary('scontrol');
  await writeFile(
    join(dir, 'scontrol'),
    `#!/bin/sh\n"${scontrol}" "$@"\nrc=$?\nif [ $rc -eq 0 ] && [ "$1" = update ]; then printf '%s\\t' "$@" >> '${log}'; echo >> '${log}'; fi\nexit $rc\n`,
  );
  for (const command of ['sinfo', 'squeue']) {
    await writeFile(join(dir, command), `#!/bin/sh\nexec "${findBinary(command)}" "$@"\n`);
  }
  for (const command of ['scontrol', 'sinfo', 'squeue']) await chmod(join(dir, command), 0o755);
  return {
    dir,
    async changes() {
      const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      return lines.map((line) => {
        const args = line.split('\t').filter(Boolean);
        const human = args[0] === HUMAN;
        return { ...parseUpdate(human ? args.slice(1) : args), by: human ? 'human' : 'pitstop' };
      });
    },
    human: (args) => appendFile(log, `${[HUMAN, ...args].join('\t')}\n`),
    clear: () => writeFile(log, ''),
  };
}

function parseUpdate(args: string[]): Omit<SlurmChange, 'by'> {
  const field = (name: string) => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  const state = field('State')?.toUpperCase();
  if (state !== 'DRAIN' && state !== 'DOWN' && state !== 'RESUME')
    throw new Error(`test: unexpected scontrol update ${args.join(' ')}`);
  return { node: field('NodeName') ?? '?', state, ...(field('Reason') ? { reason: field('Reason') } : {}) };
}
