export interface Gpus {
  count: number;
  type?: string;
}

/** `gpu:h100:8`, `gpu:8(S:0-1)`, `gpu:a100:4,gpu:a10:2,shard:8`, `(null)`. */
export function gpusFromGres(gres: string | undefined): Gpus {
  const entries = (gres ?? '').replace(/\([^)]*\)/g, '').split(',');
  let count = 0;
  let type: string | undefined;
  for (const entry of entries) {
    const [name, ...parts] = entry.trim().split(':');
    if (name !== 'gpu') continue;
    const last = parts.at(-1);
    const n = last && /^\d+$/.test(last) ? Number(last) : 1;
    count += n;
    type ??= parts.length >= 2 ? parts[0] : undefined;
  }
  return { count, ...(type ? { type } : {}) };
}

/** CfgTRES counts GPUs too (`gres/gpu=8`) when AccountingStorageTRES includes them. */
export function gpusFromTres(tres: string | undefined): number | undefined {
  const match = /(?:^|,)gres\/gpu=(\d+)/.exec(tres ?? '');
  return match ? Number(match[1]) : undefined;
}
