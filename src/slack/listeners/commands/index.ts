import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import * as pitstop from './pitstop.js';

/** Slash commands: /pitstop and its subcommands (commands/). */
export function register(app: App, deps: ListenerDeps): void {
  pitstop.register(app, deps);
}
