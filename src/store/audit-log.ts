import { open } from 'node:fs/promises';
import { z } from 'zod';
import { linesFromEnd } from './json-lines-file.js';

/**
 * An audit record as the store writes it: `type`, the record's own fields, and `seq`, one more
 * than the record before it. The write-ahead log carries each record beside the change it
 * describes, and the audit log is appended only once that is durable, so after a crash the
 * audit log holds a prefix of the records, and `seq` says where it ends.
 */
export const AuditRecord = z.looseObject({ type: z.string(), seq: z.number().int().positive() });
export type AuditRecord = z.infer<typeof AuditRecord>;

/**
 * The `seq` of the newest record in the audit log: 0 when there is none (no file, an empty one,
 * or records from before `seq`). Reads backwards only as far as that record.
 */
export async function lastAuditSeq(path: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  try {
    for await (const line of linesFromEnd(handle)) {
      const seq = seqOf(line);
      if (seq !== undefined) return seq;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

function seqOf(line: string): number | undefined {
  try {
    const record = AuditRecord.safeParse(JSON.parse(line));
    return record.success ? record.data.seq : undefined;
  } catch {
    return undefined; // not JSON: damage a reader skips too
  }
}

/** The durable records the audit log does not hold yet (those after `lastSeq`), oldest first, each once. */
export function missingFromAudit(durable: readonly AuditRecord[], lastSeq: number): AuditRecord[] {
  const bySeq = new Map(durable.filter((record) => record.seq > lastSeq).map((r) => [r.seq, r]));
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
