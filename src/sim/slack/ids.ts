import { randomBytes } from 'node:crypto';
import type { Clock } from '../../ports.js';

/**
 * Message timestamps as Slack makes them, "1700000000.000100": seconds and microseconds of the
 * clock, unique and increasing within the workspace even when two arrive in one microsecond.
 */
export class TsSource {
  private last = 0;

  constructor(private readonly clock: Clock) {}

  next(): string {
    const micros = Math.max(this.clock.now().getTime() * 1000, this.last + 1);
    this.last = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }
}

/** An id of Slack's shape: its prefix letter and upper-case alphanumerics (`V0123ABCD…`). */
export function slackId(prefix: string, length = 10): string {
  return `${prefix}${randomBytes(length).toString('hex').toUpperCase().slice(0, length)}`;
}

const randomTag = () => randomBytes(3).toString('base64url').slice(0, 4);

/**
 * Slack gives every block a block_id and every interactive element an action_id the app left
 * out, so an interaction payload can always name its source; so does the simulator.
 */
export function withIds<T>(blocks: T[]): T[] {
  return blocks.map((block) => {
    if (typeof block !== 'object' || block === null) return block;
    const filled: Record<string, unknown> = {
      ...block,
      block_id: (block as { block_id?: string }).block_id ?? randomTag(),
    };
    for (const key of ['accessory', 'element'] as const) {
      if (isInteractive(filled[key])) filled[key] = withActionId(filled[key]);
    }
    if (Array.isArray(filled.elements) && filled.type === 'actions') {
      filled.elements = filled.elements.map((element) =>
        isInteractive(element) ? withActionId(element) : element,
      );
    }
    return filled as T;
  });
}

function isInteractive(element: unknown): element is Record<string, unknown> {
  return typeof element === 'object' && element !== null && (element as { type?: unknown }).type !== 'image';
}

function withActionId(element: Record<string, unknown>): Record<string, unknown> {
  return { ...element, action_id: element.action_id ?? randomTag() };
}
