import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import * as approve from './approve.js';
import * as approveAll from './approve-all.js';
import * as deny from './deny.js';
import * as terminate from './terminate.js';

/** The buttons: Approve and Deny on an event message, Approve all on a digest, Terminate instance in a thread. */
export function register(app: App, deps: ListenerDeps): void {
  approve.register(app, deps);
  deny.register(app, deps);
  approveAll.register(app, deps);
  terminate.register(app, deps);
}
