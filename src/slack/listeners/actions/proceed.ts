import type { App } from '@slack/bolt';
import { ACTION_IDS } from '../../blocks/ids.js';
import type { ListenerDeps } from '../deps.js';
import { registerDueDecision } from '../due-decision.js';

/** Proceed now, on the hard due date's warning: the node stays drained and OCI maintains it now. */
export function register(app: App, deps: ListenerDeps): void {
  registerDueDecision(app, deps, ACTION_IDS.proceed, 'proceed');
}
