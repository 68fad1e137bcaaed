import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import * as denyModal from './deny-modal.js';

/** Modal submissions: the Deny modal. */
export function register(app: App, deps: ListenerDeps): void {
  denyModal.register(app, deps);
}
