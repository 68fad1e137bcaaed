/**
 * Approve-click acknowledgement latency in HTTP mode: 50 signed clicks a second on the event
 * messages, through the real Bolt app over the orchestrator and the simulators. The time is from
 * sending the request to Bolt's 200, which Slack needs within 3 s; the decision comes after.
 * Twice: with the approved jobs running (their hours of simulated drain, maintenance and GPU
 * checks compressed into the same seconds, on the same event loop), and paused (the decisions
 * are taken and recorded, no phase runs), which isolates the click path.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CHANNEL, slackRig } from '../test/slack/rig.js';
import { peakRssMiB, report } from './report.js';

const RATE_PER_S = 50;
const CLICKS = 1_000;
const APPROVERS = ['U0ALICE', 'U0BOB'];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function bench(paused: boolean) {
  const rig = await slackRig('http');
  try {
    if (paused) await rig.orchestrator.pause('bench', 'isolate the click path');
    const messages = [...(await rig.announce()).values()];
    const latencies: number[] = [];
    let refused = 0;
    const clicks: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < CLICKS; i++) {
      // Paced against the start, so a slow answer does not slow the clicks down.
      const due = started + (i * 1000) / RATE_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await delay(wait);
      const sent = performance.now();
      clicks.push(
        rig.driver
          .click(APPROVERS[i % APPROVERS.length]!, {
            channel: CHANNEL,
            ts: messages[i % messages.length]!,
            actionId: 'pitstop_approve',
          })
          .then((answer) => {
            if (answer.status !== 200) refused++;
            latencies.push(performance.now() - sent);
          }),
      );
    }
    await Promise.all(clicks);
    const seconds = (performance.now() - started) / 1000;
    await rig.orchestrator.idle();
    const approvals = (await rig.audit()).filter(
      (r) => r.type === 'transition' && (r.action as { type: string }).type === 'approve',
    ).length;
    const sorted = latencies.sort((a, b) => a - b);
    report(
      `Slack approvals: Approve-click acknowledgement (HTTP mode), ${paused ? 'Pitstop paused' : 'approved jobs running'}`,
      {
        clicks: CLICKS,
        'clicks per second (sent)': Math.round((CLICKS / seconds) * 10) / 10,
        'event messages clicked': messages.length,
        'jobs approved (once each)': approvals,
        'answers other than 200': refused,
        'ack p50 ms': Math.round(percentile(sorted, 50) * 10) / 10,
        'ack p99 ms': Math.round(percentile(sorted, 99) * 10) / 10,
        'ack max ms': Math.round(sorted.at(-1)! * 10) / 10,
        'ephemerals sent / 429ed': `${rig.sim.count('chat.postEphemeral', 'ok')} / ${rig.sim.count('chat.postEphemeral', 'ratelimited')}`,
        'peak RSS MiB': peakRssMiB(),
      },
    );
  } finally {
    await rig.stop();
  }
}

await bench(false);
await bench(true);
