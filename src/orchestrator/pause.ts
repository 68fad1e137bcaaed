import type { PauseState } from '../domain/pause.js';
import type { Clock, Store } from '../ports.js';

/** Pauses (durable, then audited): from `pitstop serve` or, with none running, from the CLI under the state lock. */
export async function recordPause(
  store: Store,
  clock: Clock,
  by: string,
  reason: string,
): Promise<PauseState> {
  const state = { by, reason, at: clock.now().toISOString() };
  await store.setPaused(state);
  await store.writeAudit({ type: 'paused', by, reason });
  return state;
}

export async function recordUnpause(store: Store, by: string): Promise<void> {
  await store.setPaused(undefined);
  await store.writeAudit({ type: 'unpaused', by });
}
