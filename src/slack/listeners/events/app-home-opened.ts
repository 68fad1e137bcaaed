import type { App } from '@slack/bolt';
import { publishHome } from '../../home.js';
import { UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

/** Opening the app's Home tab publishes it anew, read at that moment, and keeps it current after. */
export function register(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const user = UserId.safeParse(event.user);
    if (!user.success) return;
    await publishHome(deps, client, user.data, new Date());
    deps.homeViewers?.opened(user.data);
  });
}
