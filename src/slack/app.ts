import type { Server, ServerResponse } from 'node:http';
import { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { type Config, ConfigError } from '../config.js';
import { answerHealthz, HEALTHZ_PATH } from '../orchestrator/http.js';
import { Approvers } from './approvers.js';
import { authenticate, type BotIdentity } from './auth.js';
import { boltLogger } from './bolt-logger.js';
import { HomeRefresh } from './home-refresh.js';
import { NotDecidableAnswers } from './listeners/decision.js';
import type { ListenerDeps } from './listeners/deps.js';
import { registerListeners } from './listeners/index.js';

export type SlackSettings = Config['slack'];

/** The listeners' needs, less what the app builds itself from the settings (the approvers). */
export type SlackAppDeps = Omit<ListenerDeps, 'approvers' | 'channel' | 'notDecidable'> & {
  clock: ConstructorParameters<typeof Approvers>[2];
  /** The bot token as auth.test already answered at start-up (by the notifier); else asked here. */
  identity?: BotIdentity;
};

export interface SlackAppHandle {
  app: App;
  /** Keeps opened Home tabs current (every minute, when jobs changed). */
  homeRefresh: HomeRefresh;
  /** HTTP mode: the port Bolt listens on. */
  port?: number;
  stop(): Promise<void>;
}

/** What the chosen mode needs that is missing, as ConfigError lines (never a value). */
function missing(settings: SlackSettings): string[] {
  const problems: string[] = [];
  if (!settings.botToken) problems.push('SLACK_BOT_TOKEN: required to run the Slack app (xoxb-…)');
  if (settings.mode === 'socket' && !settings.appToken) {
    problems.push(
      'SLACK_APP_TOKEN: SLACK_MODE=socket needs the app-level token (xapp-…, scope connections:write); or set SLACK_MODE=http with SLACK_SIGNING_SECRET',
    );
  }
  if (settings.mode === 'http' && !settings.signingSecret) {
    problems.push(
      "SLACK_SIGNING_SECRET: SLACK_MODE=http needs the app's signing secret (Basic Information → App Credentials)",
    );
  }
  if (!settings.channel) problems.push('SLACK_CHANNEL: the channel for event messages (C… or its name)');
  return problems;
}

/**
 * The Bolt app with every listener: Socket Mode (SLACK_APP_TOKEN) by default, or HTTP mode
 * (SLACK_SIGNING_SECRET) serving Bolt's POST /slack/events — events, interactivity and slash
 * commands — on PORT, with GET /healthz beside it (PORT serves nothing else: decisions from the
 * CLI stay on the control socket). Every Web API call, Socket Mode's apps.connections.open
 * included, goes to SLACK_API_URL.
 */
export async function startSlackApp(settings: SlackSettings, deps: SlackAppDeps): Promise<SlackAppHandle> {
  const problems = missing(settings);
  if (problems.length > 0) throw new ConfigError(problems);
  const logger = boltLogger(deps.log);
  const clientOptions = { logger, ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}) };
  const { botId, botUserId } =
    deps.identity ?? (await authenticate(new WebClient(settings.botToken, clientOptions), settings.apiUrl));
  const common = {
    token: settings.botToken,
    botId,
    botUserId,
    tokenVerificationEnabled: false,
    convoStore: false as const,
    logger,
    clientOptions,
  };
  const { clock, identity: _, ...listenerDeps } = deps;
  const healthz = {
    path: HEALTHZ_PATH,
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => answerHealthz(deps.orchestrator, res),
  };
  const app =
    settings.mode === 'socket'
      ? new App({ ...common, socketMode: true, appToken: settings.appToken })
      : new App({ ...common, signingSecret: settings.signingSecret!, customRoutes: [healthz] });
  const listeners = {
    ...listenerDeps,
    channel: settings.channel,
    approvers: new Approvers(settings.approvers, app.client, clock, deps.log),
    notDecidable: new NotDecidableAnswers(),
  };
  const homeRefresh = new HomeRefresh(listeners, app.client);
  registerListeners(app, { ...listeners, homeViewers: homeRefresh });
  const stop = async () => {
    homeRefresh.stop();
    await app.stop();
  };
  app.error(async (error) => {
    deps.log.error({ component: 'slack', err: error }, `a Slack listener failed: ${error.message}`);
  });
  if (settings.mode === 'socket') {
    try {
      await app.start();
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (!code) throw error;
      throw new ConfigError([
        `SLACK_APP_TOKEN: Slack refused it at apps.connections.open (${code}); generate an app-level token with connections:write under Basic Information → App-Level Tokens, and enable Socket Mode`,
      ]);
    }
    homeRefresh.start();
    return { app, homeRefresh, stop };
  }
  const server = (await app.start(settings.port)) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  homeRefresh.start();
  return { app, port, homeRefresh, stop };
}
