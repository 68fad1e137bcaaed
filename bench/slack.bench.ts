/**
 * Slack delivery with 200 jobs moving at once: every announcement, update in place and thread
 * line through the outbox into the Slack simulator with Slack's own rate limits. One clock (the
 * simulator's, jumping over every wait) paces both, so the 40-odd minutes of sending that one
 * channel allows run in seconds, and every rate below is in the simulator's seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JobAction, type MaintenanceJob, newJob, transition } from '../src/domain/job.js';
import { decideVerdict } from '../src/domain/verdict.js';
import { createLogger } from '../src/log.js';
import { ManualClock } from '../src/sim/clock.js';
import { Random } from '../src/sim/oci/random.js';
import { SlackSimulator } from '../src/sim/slack/server.js';
import { SlackNotifier } from '../src/slack/notifier.js';
import { DEFAULT_BUDGETS } from '../src/slack/outbox/budget.js';
import { Outbox } from '../src/slack/outbox/outbox.js';
import { outboxWebClient } from '../src/slack/web-client.js';
import { sampleEvent } from '../test/support/events.js';
import { peakRssMiB, report } from './report.js';

const JOBS = 200;
const CHANNEL = 'C0PITSTOP';
/** Seconds between a job's phase changes, as a fast pipeline would have them. */
const PHASE_SECONDS = [20, 90] as const;

const pass = decideVerdict([
  { check: 'gpu-count', status: 'pass', detail: '8 of 8 GPUs', action: 'none' },
  { check: 'ecc', status: 'pass', detail: 'no uncorrectable ECC errors', action: 'none' },
]);
const walk: JobAction[] = [
  { type: 'approve', by: 'U0ALICE', via: 'slack' },
  { type: 'drained', drainedBy: 'pitstop' },
  { type: 'scheduled', windowStart: '2026-12-01T10:05:00Z', workRequestId: 'ocid1.workrequest.oc1.iad.x' },
  { type: 'maintenance_ended', state: 'SUCCEEDED' },
  { type: 'health_checked', verdict: pass },
  { type: 'triaged', result: 'resumed', reason: 'health PASS' },
  { type: 'recorded' },
];

const clock = new ManualClock('2026-12-01T10:00:00Z', true);
const random = new Random(42);
const sim = new SlackSimulator({ clock, workspace: { users: [{ id: 'U0ALICE', name: 'alice' }] } });
await sim.start();
const dir = mkdtempSync(join(tmpdir(), 'pitstop-bench-slack-'));
const log = createLogger('silent');
const jobs = new Map<string, MaintenanceJob>();
const store = { get: (id: string) => jobs.get(id), annotate: async () => ({}) as MaintenanceJob };
const outbox = await Outbox.open({
  client: outboxWebClient({ botToken: sim.workspace.botToken, apiUrl: sim.apiUrl }, log),
  file: join(dir, 'state.json.outbox'),
  store,
  clock,
  log,
});
outbox.start();
const notifier = new SlackNotifier({
  outbox,
  channel: CHANNEL,
  cloud: { getInstance: async () => ({ shape: 'BM.GPU.H100.8' }) as never },
  cluster: {
    status: async (node) => ({ name: node, gpus: 8, partitions: ['gpu'] }) as never,
    slurmJobsOn: async () => [],
  },
  log,
  digestThreshold: 5,
});

const started = clock.now().getTime();
const wallStart = performance.now();
let updateRequests = 0;
let replyRequests = 0;

/** One job: announced, then a phase change (update + thread line) and a progress line every 20–90 s. */
async function move(n: number) {
  let job = newJob(
    sampleEvent({
      id: `ocid1.instancemaintenanceevent.oc1.iad.bench${n}`,
      instanceId: `ocid1.instance.oc1.iad.b${n}`,
    }),
    clock.now(),
    `gpu-${n}`,
  );
  jobs.set(job.id, job);
  await notifier.announce(job);
  for (const action of walk) {
    await clock.sleep(random.int(PHASE_SECONDS[0], PHASE_SECONDS[1]) * 1000);
    const previous = job;
    job = transition(job, action, clock.now());
    jobs.set(job.id, job);
    await notifier.phaseChanged(job, previous);
    updateRequests++;
    replyRequests++;
    if (job.phase !== 'done') {
      await notifier.progress(job, `${job.node}: ${job.phase} goes on`);
      replyRequests++;
    }
  }
}

await Promise.all(Array.from({ length: JOBS }, (_, n) => move(n)));
const pipelineSeconds = (clock.now().getTime() - started) / 1000;
await outbox.idle();
const seconds = (clock.now().getTime() - started) / 1000;
const wallSeconds = (performance.now() - wallStart) / 1000;

const history = sim.conversations.history(CHANNEL);
const replies = history.reduce((sum, m) => sum + sim.conversations.replies(CHANNEL, m.ts).length, 0);
const posts = sim.count('chat.postMessage', 'ok');
const updates = sim.count('chat.update', 'ok');
const earned429 = sim.calls.filter((c) => c.status === 429).length;
const budget = DEFAULT_BUDGETS['chat.postMessage']!;

// The busiest second of the one channel, on the simulator's clock.
const times = sim.calls.filter((c) => c.method === 'chat.postMessage' && c.ok).map((c) => Date.parse(c.at));
let busiest = 0;
for (let i = 0, j = 0; j < times.length; j++) {
  while (times[j]! - times[i]! >= 1_000) i++;
  busiest = Math.max(busiest, j - i + 1);
}

report(`Slack delivery: ${JOBS} jobs moving at once, one channel, Slack's rate limits`, {
  'event messages posted': `${history.length} (of ${JOBS})`,
  'showing the outcome': history.filter((m) => JSON.stringify(m.blocks).includes('Back in service')).length,
  'thread replies posted': `${replies} (of ${replyRequests} asked; ${replyRequests - replies} lost)`,
  'pipeline done after (sim s)': Math.round(pipelineSeconds),
  'all delivered after (sim s)': Math.round(seconds),
  'chat.postMessage per second': (posts / seconds).toFixed(2),
  'busiest second (channel)': `${busiest} (budget ${budget.perMinute / 60}/s, bursts of ${budget.burst})`,
  '429s from the simulator': earned429,
  'updates asked (chat.update)': updateRequests,
  'chat.update calls made': updates,
  'coalesced away': `${outbox.stats().coalesced} (${((100 * outbox.stats().coalesced) / updateRequests).toFixed(1)}%)`,
  'wall time': `${wallSeconds.toFixed(1)} s`,
  'peak RSS (MiB)': peakRssMiB(),
});

await outbox.stop();
await sim.stop();
rmSync(dir, { recursive: true, force: true });
