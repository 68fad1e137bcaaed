import { SlurmJob } from '../../domain/node.js';

/**
 * The squeue output format the parser reads: id, user, name, state, elapsed, time limit, GPUs
 * requested. The name is the only free text, so a `|` inside it is recovered from the field count.
 */
export const SQUEUE_FORMAT = '%i|%u|%j|%T|%M|%l|%b';
const FIELDS = SQUEUE_FORMAT.split('|').length;

export function parseSqueue(text: string): SlurmJob[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const parts = line.split('|');
      if (parts.length < FIELDS) throw new Error(`squeue line is not in ${SQUEUE_FORMAT}: ${line}`);
      const [id, user] = parts;
      const [state, elapsed, timeLimit, gres] = parts.slice(-4);
      return SlurmJob.parse({
        id,
        user,
        name: parts.slice(2, -4).join('|'),
        state,
        elapsed,
        timeLimit,
        gres: gres && gres !== 'N/A' ? gres : undefined,
      });
    });
}
