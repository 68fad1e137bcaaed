import type { App } from '@slack/bolt';
import { ACTION_IDS } from '../../blocks/ids.js';
import type { ListenerDeps } from '../deps.js';
import { registerDueDecision } from '../due-decision.js';

/** Let OCI act at its time, on the hard due date's warning: Pitstop follows OCI's own window. */
export function register(app: App, deps: ListenerDeps): void {
  registerDueDecision(app, deps, ACTION_IDS.leaveToOci, 'leave_to_oci');
}
