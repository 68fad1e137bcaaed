import { setImmediate as tick } from 'node:timers/promises';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { Announcement, Clock, Notifier, Store } from '../../src/ports.js';
import type { ManualClock } from '../../src/sim/clock.js';
import { SlackSimulator, type SlackSimulatorOptions } from '../../src/sim/slack/server.js';
import { progressReply, threadLine } from '../../src/slack/blocks/thread-line.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import type { Budget } from '../../src/slack/outbox/budget.js';
import { Outbox } from '../../src/slack/outbox/outbox.js';
import { outboxWebClient } from '../../src/slack/web-client.js';
import type { Pipeline } from '../support/pipeline.js';

export const CHANNEL = 'C0PITSTOP';

export async function startSlack(clock: Clock, options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const sim = new SlackSimulator({
    clock,
    workspace: {
      users: [
        { id: 'U0ALICE', name: 'alice' },
        { id: 'U0BOB', name: 'bob' },
      ],
      channels: [
        { id: CHANNEL, name: 'pitstop', botMember: true },
        { id: 'C0OUTSIDE', name: 'outside', botMember: false },
      ],
    },
    ...options,
  });
  await sim.start();
  return sim;
}

/** A started outbox with the real WebClient on the simulator, its journal beside `stateFile`. */
export async function openOutbox(
  sim: SlackSimulator,
  stateFile: string,
  store: Pick<Store, 'get' | 'annotate'>,
  clock: Clock,
  options: { log?: Logger; budgets?: Record<string, Budget>; compactAtBytes?: number } = {},
): Promise<Outbox> {
  const log = options.log ?? createLogger('silent');
  const outbox = await Outbox.open({
    client: outboxWebClient({ botToken: sim.workspace.botToken, apiUrl: sim.apiUrl }, log),
    file: `${stateFile}.outbox`,
    store,
    clock,
    log,
    ...(options.budgets ? { budgets: options.budgets } : {}),
    ...(options.compactAtBytes ? { compactAtBytes: options.compactAtBytes } : {}),
  });
  outbox.start();
  return outbox;
}

/**
 * The SlackNotifier, and the thread lines it was asked for per job (as the builders render them),
 * so a test can compare what Slack shows with what was said.
 */
export class SaidNotifier implements Notifier {
  readonly said = new Map<string, string[]>();
  constructor(readonly slack: SlackNotifier) {}
  announce(job: MaintenanceJob): Promise<Announcement> {
    return this.slack.announce(job);
  }
  announceBatch(jobs: MaintenanceJob[]): Promise<void> {
    return this.slack.announceBatch(jobs);
  }
  phaseChanged(job: MaintenanceJob, previous: MaintenanceJob): Promise<void> {
    this.say(job, threadLine(job, previous));
    return this.slack.phaseChanged(job, previous);
  }
  progress(job: MaintenanceJob, message: string): Promise<void> {
    this.say(job, progressReply(message));
    return this.slack.progress(job, message);
  }
  private say(job: MaintenanceJob, line: string) {
    this.said.set(job.id, [...(this.said.get(job.id) ?? []), line]);
  }
}

/** For `orchestratorOver`: a SaidNotifier over a new outbox on the simulator. */
export function slackNotifierOver(
  sim: SlackSimulator,
  pipeline: Pipeline,
  stateFile: string,
  clock: Clock,
  made: { outbox?: Outbox },
  options: Parameters<typeof openOutbox>[4] & { digestThreshold?: number; offerTerminate?: boolean } = {},
) {
  return async (store: Store) => {
    const outbox = await openOutbox(sim, stateFile, store, clock, options);
    made.outbox = outbox;
    return new SaidNotifier(
      new SlackNotifier({
        outbox,
        channel: CHANNEL,
        cloud: pipeline.oci.cloud,
        cluster: pipeline.cluster,
        log: options.log ?? createLogger('silent'),
        digestThreshold: options.digestThreshold ?? 5,
        offerTerminate: options.offerTerminate,
      }),
    );
  };
}

/** With a clock that moves only when told: moves it until the outbox has sent everything. */
export async function sendAll(outbox: Outbox, clock: ManualClock, stepMs = 1_000): Promise<void> {
  for (let steps = 0; outbox.stats().queued > 0; steps++) {
    if (steps > 100_000) throw new Error('test: the outbox never emptied');
    clock.advance(stepMs);
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The most calls of `method` (answered ok) to one channel within any second of the simulator's clock. */
export function busiestSecond(sim: SlackSimulator, method: string): number {
  const byChannel = new Map<string, number[]>();
  for (const call of sim.calls.filter((c) => c.method === method && c.ok)) {
    const channel = String(call.args.channel);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), Date.parse(call.at)]);
  }
  let most = 0;
  for (const times of byChannel.values()) {
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1_000) i++;
      most = Math.max(most, j - i + 1);
    }
  }
  return most;
}
