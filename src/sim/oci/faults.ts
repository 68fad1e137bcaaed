import { Duration } from '../../config.js';
import type { Random } from './random.js';

/** What can go wrong with one operation (or, under `*`, with every operation). */
export interface FaultSpec {
  /** Added to every call, before anything else happens. */
  latencyMs?: number;
  /** Share of calls answered 429 TooManyRequests with a Retry-After header. */
  throttleRate?: number;
  retryAfterSeconds?: number;
  /** Share of calls answered with a 5xx (`errorStatus`, default 503). */
  errorRate?: number;
  errorStatus?: number;
  /** Share of calls never answered: the connection hangs until the client gives up. */
  timeoutRate?: number;
  /** Share of calls carried out whose answer is then lost (the connection drops). */
  dropRate?: number;
}

export type FaultKind = 'throttle' | 'error' | 'timeout' | 'drop';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'error'; status: number }
  | { kind: 'timeout' }
  | { kind: 'drop' };

/** Fault injection per operation: random rates (seeded) and deterministic "fail the next N". */
export class Faults {
  private readonly specs = new Map<string, FaultSpec>();
  private readonly queued = new Map<string, FaultKind[]>();

  constructor(private readonly random: Random) {}

  set(operation: string, spec: FaultSpec): void {
    this.specs.set(operation, { ...this.specs.get(operation), ...spec });
  }

  /** The next `count` calls of `operation` fail this way, then it behaves again. */
  failNext(operation: string, kind: FaultKind, count = 1): void {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...Array(count).fill(kind)]);
  }

  latencyMs(operation: string): number {
    return this.specFor(operation).latencyMs ?? 0;
  }

  decide(operation: string): FaultDecision {
    const spec = this.specFor(operation);
    const forced = this.queued.get(operation)?.shift();
    const kind =
      forced ??
      (this.random.chance(spec.throttleRate ?? 0)
        ? 'throttle'
        : this.random.chance(spec.errorRate ?? 0)
          ? 'error'
          : this.random.chance(spec.timeoutRate ?? 0)
            ? 'timeout'
            : this.random.chance(spec.dropRate ?? 0)
              ? 'drop'
              : undefined);
    switch (kind) {
      case 'throttle':
        return { kind, retryAfterSeconds: spec.retryAfterSeconds ?? 1 };
      case 'error':
        return { kind, status: spec.errorStatus ?? 503 };
      case 'timeout':
      case 'drop':
        return { kind };
      default:
        return { kind: 'none' };
    }
  }

  private specFor(operation: string): FaultSpec {
    return { ...this.specs.get('*'), ...this.specs.get(operation) };
  }
}

const FLAG = /^([A-Za-z*]+):(latency|429|5xx|timeout|drop|retry-after)=(.+)$/;

/**
 * `--fault OPERATION:KIND=VALUE`, e.g. `listInstanceMaintenanceEvents:429=0.2`,
 * `*:latency=20ms`, `getWorkRequest:5xx=0.1`, `getInstance:timeout=0.05`, `updateInstanceMaintenanceEvent:drop=0.1`,
 * `*:retry-after=2`.
 */
export function parseFaultFlag(flag: string): { operation: string; spec: FaultSpec } {
  const match = FLAG.exec(flag.trim());
  if (!match) {
    throw new Error(
      `--fault "${flag}": expected OPERATION:KIND=VALUE with KIND latency, 429, 5xx, timeout, drop or retry-after`,
    );
  }
  const [, operation, kind, value] = match as unknown as [string, string, string, string];
  if (kind === 'latency') return { operation, spec: { latencyMs: Duration.parse(value) } };
  const number = Number(value);
  if (kind === 'retry-after') {
    if (!Number.isInteger(number) || number < 0) throw new Error(`--fault "${flag}": seconds expected`);
    return { operation, spec: { retryAfterSeconds: number } };
  }
  if (!(number >= 0 && number <= 1)) throw new Error(`--fault "${flag}": a rate between 0 and 1 expected`);
  const field = { '429': 'throttleRate', '5xx': 'errorRate', timeout: 'timeoutRate', drop: 'dropRate' }[
    kind
  ] as keyof FaultSpec;
  return { operation, spec: { [field]: number } };
}
