import type { WebClient } from '@slack/web-api';
import { publishHome } from './home.js';
import type { ListenerDeps } from './listeners/deps.js';

export interface HomeRefreshOptions {
  /** How often the jobs are looked at; a Home tab is published again only when they changed. */
  everyMs: number;
  /** views.publish is Tier 4 (100+ a minute): at most this many tabs are kept current. */
  maxViewers: number;
  /** Someone who has not opened the tab for this long no longer gets it refreshed. */
  forgetAfterMs: number;
}

const DEFAULTS: HomeRefreshOptions = { everyMs: 60_000, maxViewers: 50, forgetAfterMs: 86_400_000 };

/**
 * Keeps the Home tabs people opened current while jobs change: a look every minute at the jobs'
 * versions and the pause, and the tabs published again when anything moved. Real timers, not the
 * injected clock: a refresh is a courtesy, and it must not move a test clock's time.
 */
export class HomeRefresh {
  /** user → when they last opened the tab, oldest first. */
  private readonly viewers = new Map<string, number>();
  private seen = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly options: HomeRefreshOptions;

  constructor(
    private readonly deps: ListenerDeps,
    private readonly client: WebClient,
    options: Partial<HomeRefreshOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The tab was opened (and published): keep it current from now on. */
  opened(user: string): void {
    this.viewers.delete(user);
    this.viewers.set(user, Date.now());
    for (const oldest of this.viewers.keys()) {
      if (this.viewers.size <= this.options.maxViewers) break;
      this.viewers.delete(oldest);
    }
    this.seen ||= this.state();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.options.everyMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes the tabs again if the jobs or the pause changed since the last look. */
  async refresh(): Promise<void> {
    const state = this.state();
    if (state === this.seen) return;
    this.seen = state;
    const forgetBefore = Date.now() - this.options.forgetAfterMs;
    for (const [user, openedAt] of this.viewers) {
      if (openedAt < forgetBefore) {
        this.viewers.delete(user);
        continue;
      }
      await publishHome(this.deps, this.client, user, new Date()).catch((error: unknown) =>
        this.deps.log.warn({ component: 'slack', user, err: error }, `Home tab not refreshed for ${user}`),
      );
    }
  }

  /** What the tab shows, as cheap to compare as possible: every job's version, and the pause. */
  private state(): string {
    const jobs = this.deps.store.list().map((job) => `${job.id}@${job.version}`);
    return `${jobs.sort().join(',')}|${JSON.stringify(this.deps.orchestrator.paused() ?? null)}`;
  }
}
