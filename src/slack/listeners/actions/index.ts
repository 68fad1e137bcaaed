import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import * as approve from './approve.js';
import * as approveAll from './approve-all.js';
import * as deny from './deny.js';
import * as leaveToOci from './leave-to-oci.js';
import * as proceed from './proceed.js';
import * as terminate from './terminate.js';

/**
 * The buttons: Approve and Deny on an event message, Approve all on a digest, Proceed now and
 * Let OCI act on the hard due date's warning in a thread, Terminate instance under a kept-out verdict.
 */
export function register(app: App, deps: ListenerDeps): void {
  approve.register(app, deps);
  deny.register(app, deps);
  approveAll.register(app, deps);
  terminate.register(app, deps);
  proceed.register(app, deps);
  leaveToOci.register(app, deps);
}
