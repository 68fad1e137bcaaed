import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import * as appHomeOpened from './app-home-opened.js';

/** Events API subscriptions: app_home_opened. */
export function register(app: App, deps: ListenerDeps): void {
  appHomeOpened.register(app, deps);
}
