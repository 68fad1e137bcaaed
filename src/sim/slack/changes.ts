import type { SimEphemeral, SimMessage } from './conversations.js';
import type { SimView } from './views.js';

/** What changed in the workspace, as a person watching Slack would notice it. */
export type SimChange =
  /** A message posted or edited; a thread parent again when a reply changed its reply count. */
  | { kind: 'message'; channel: string; message: SimMessage }
  | { kind: 'deleted'; channel: string; ts: string }
  | { kind: 'ephemeral'; ephemeral: SimEphemeral }
  /** The modal in front of `user` opened, or closed (`view: null`). */
  | { kind: 'modal'; user: string; view: SimView | null }
  | { kind: 'home'; user: string; view: SimView };

/**
 * Where Conversations and Surfaces announce each change, so the channel page can follow the
 * workspace live without polling. Listeners get their own copy.
 */
export class Changes {
  private readonly listeners = new Set<(change: SimChange) => void>();

  /** Returns the unsubscribe function. */
  on(listener: (change: SimChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: SimChange): void {
    for (const listener of this.listeners) listener(structuredClone(change));
  }
}
