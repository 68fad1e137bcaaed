import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import { systemClock } from '../../src/clock.js';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { createLogger } from '../../src/log.js';
import type { OrchestratorOptions } from '../../src/orchestrator.js';
import { SlackDriver } from '../../src/sim/slack/driver.js';
import { SlackSimulator } from '../../src/sim/slack/server.js';
import { type SlackAppHandle, type SlackSettings, startSlackApp } from '../../src/slack/app.js';
import { eventMessage } from '../../src/slack/blocks/event-message.js';
import type { Outbox } from '../../src/slack/outbox/outbox.js';
import { freePort } from '../support/free-port.js';
import {
  type OrchestratorRig,
  orchestratorOver,
  RecordingNotifier,
  tempStateFile,
} from '../support/orchestrator.js';
import { type Pipeline, type PipelineOptions, startPipeline } from '../support/pipeline.js';
import { slackNotifierOver } from './support.js';

/** Budgets that never hold a message back: pacing is the outbox's own test; here, the whole path. */
const LOOSE_BUDGETS = Object.fromEntries(
  ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.publish'].map((method) => [
    method,
    { perMinute: 60_000, burst: 1_000 },
  ]),
);

export const CHANNEL = 'C0PITSTOP';
export type Mode = SlackSettings['mode'];

export const USERS = [
  { id: 'U0ALICE', name: 'alice' },
  { id: 'U0BOB', name: 'bob' },
  { id: 'U0MALLORY', name: 'mallory' },
];

export interface SlackRig extends OrchestratorRig {
  pipeline: Pipeline;
  sim: SlackSimulator;
  driver: SlackDriver;
  slack: SlackAppHandle;
  stateFile: string;
  /** Sweeps, and posts each new job's event message as the SlackNotifier would: eventId → ts. */
  announce(): Promise<Map<string, string>>;
  /** Resolves once the job of `eventId` was approved or denied and its notifier told. */
  decided(eventId: string): Promise<void>;
  /** The audit log's records. */
  audit(): Promise<Record<string, unknown>[]>;
  /** With `slackNotifier`: the outbox the SlackNotifier posts through. */
  outbox?: Outbox;
  /** Stops the app, the orchestrator, the simulators. */
  stop(): Promise<void>;
}

/**
 * Pitstop's Bolt app (startSlackApp, as serve starts it) in `mode` against the Slack simulator,
 * over the orchestrator on the OCI and Slurm simulators. The notifier records (the SlackNotifier
 * is another part): the event messages the clicks land on are posted here with the real builder.
 */
export async function slackRig(
  mode: Mode,
  options: {
    approvers?: string[];
    usergroups?: { id: string; handle: string; users: string[] }[];
    /** The real SlackNotifier and its outbox (on the system clock, budgets loosened) instead of the recorder. */
    slackNotifier?: boolean;
    /** Orchestrator options beyond the test defaults (TRIAGE_TERMINATE, say). */
    orchestrator?: Partial<OrchestratorOptions>;
    pipeline?: PipelineOptions;
  } = {},
): Promise<SlackRig> {
  const pipeline = await startPipeline(options.pipeline);
  const stateFile = tempStateFile();
  const made: { outbox?: Outbox } = {};
  const sim = new SlackSimulator({
    workspace: { users: USERS, usergroups: options.usergroups ?? [] },
    // The rig posts the event messages at once, in the notifier's stead (its outbox paces them).
    rateLimits: { 'chat.postMessage': null },
  });
  await sim.start();
  const rig = await orchestratorOver(
    pipeline,
    stateFile,
    options.orchestrator ?? {},
    undefined,
    options.slackNotifier
      ? async (store) =>
          new RecordingNotifier(
            await slackNotifierOver(sim, pipeline, stateFile, systemClock, made, { budgets: LOOSE_BUDGETS })(
              store,
            ),
          )
      : undefined,
  );
  const { workspace } = sim;
  const slack = await startSlackApp(
    {
      botToken: workspace.botToken,
      appToken: workspace.appToken,
      signingSecret: workspace.signingSecret,
      apiUrl: sim.apiUrl,
      mode,
      channel: CHANNEL,
      approvers: options.approvers ?? ['U0ALICE', 'U0BOB'],
      digestThreshold: 5,
      port: mode === 'http' ? await freePort() : 0,
    },
    {
      orchestrator: rig.orchestrator,
      store: rig.store,
      cluster: pipeline.cluster,
      clock: pipeline.clock,
      log: createLogger(process.env.RIG_LOG ?? 'silent'),
      outbox: made.outbox,
    },
  );
  const driver = new SlackDriver(
    sim,
    mode === 'http'
      ? { mode: 'http', url: `http://127.0.0.1:${slack.port}/slack/events` }
      : { mode: 'socket' },
  );
  const client = new WebClient(workspace.botToken, { slackApiUrl: sim.apiUrl });
  return {
    ...rig,
    pipeline,
    sim,
    driver,
    slack,
    stateFile,
    async announce() {
      const { created } = await rig.orchestrator.sweep();
      const posted = new Map<string, string>();
      for (const eventId of created) {
        const job = rig.store.findByEvent(eventId) as MaintenanceJob;
        const answer = await client.chat.postMessage({ channel: CHANNEL, ...eventMessage(job) });
        posted.set(eventId, answer.ts!);
      }
      return posted;
    },
    async decided(eventId) {
      // Polled rather than vi.waitFor: the benchmark uses this rig outside vitest.
      for (let waited = 0; ; waited += 20) {
        if (rig.notifier.thread(eventId).some((line) => line.startsWith('awaiting_approval → '))) return;
        if (waited > 10_000) throw new Error(`${eventId}: no decision within 10 s`);
        await delay(20);
      }
    },
    async audit() {
      const text = await readFile(rig.store.auditFile, 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    outbox: made.outbox,
    async stop() {
      await slack.stop();
      await rig.close();
      await made.outbox?.stop();
      await sim.stop();
      await pipeline.stop();
    },
  };
}
