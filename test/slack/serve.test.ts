/**
 * `pitstop sim slack` and `pitstop serve` with Slack, as processes: serve posts into the simulated
 * channel through the outbox, a CLI decision updates the message in place, and a token Slack
 * refuses stops start-up with what to do. Slurm is the real test cluster (under CI=true it must be there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, type Harness, instance, startHarness, TENANCY } from '../oci/sim-fixture.js';
import { freePort } from '../support/free-port.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import { missingTool } from '../support/system-tools.js';

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
const EVENT = event('slackserve1');

interface SimLine {
  apiUrl: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`test: ${what} within ${timeoutMs} ms`);
    await delay(200);
  }
}

describe.skipIf(missingTool(slurmUnavailableReason()))('pitstop sim slack and serve with Slack', () => {
  let slurm: RunningCluster;
  let oci: Harness;
  let slackSim: ResultPromise;
  let slack: SimLine;
  let env: Record<string, string>;

  beforeAll(async () => {
    const day = new Date(Date.now() + 86_400_000).toISOString();
    [slurm, oci] = await Promise.all([
      startCluster(),
      startHarness({
        tenancy: { id: TENANCY },
        instances: [
          {
            id: instance('slackserve1'),
            compartmentId: TENANCY,
            displayName: 'gpu-1',
            shape: 'BM.GPU.H100.8',
            privateIp: '127.0.0.1',
          },
        ],
        events: [{ id: EVENT, instanceId: instance('slackserve1'), timeWindowStart: day }],
      }),
    ]);
    slackSim = execa('node', [bin, 'sim', 'slack', '--port', '0', '--user', 'U0ALICE:alice']);
    slack = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        createInterface({ input: slackSim.stdout! }).once('line', resolve);
        slackSim.catch(reject);
      }),
    ) as SimLine;
    env = {
      ...slurm.env,
      SLURM_CONF: slurm.slurmConf,
      OCI_ENDPOINT: oci.sim.endpoint,
      OCI_CONFIG_FILE: oci.configFile,
      STATE_FILE: join(mkdtempSync(join(tmpdir(), 'pitstop-slack-serve-')), 'state.json'),
      PORT: String(await freePort()),
      HEALTH_TRANSPORT: 'local',
      DISCOVERY_CRON: '0 0 1 1 *',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_MODE: 'http',
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL: 'C0PITSTOP',
      USER: 'tester',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    slackSim?.kill('SIGTERM');
    await slackSim?.catch(() => {});
    await oci?.sim.stop();
    await slurm?.stop();
  });

  const sim = (path: string) =>
    fetch(`${slack.apiUrl.replace(/\/api\/$/, '')}/_sim/${path}`).then((r) => r.json());

  it('serves a simulated workspace whose tokens the real WebClient uses', async () => {
    const web = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: 'U0PITSTOP' });
    expect(await sim('workspace')).toMatchObject({ users: [{ id: 'U0ALICE', name: 'alice' }] });
  });

  it('posts the event message, updates it in place on a CLI decision, and stops cleanly', async () => {
    const serve = execa('node', [bin, 'serve'], { reject: false, env });
    try {
      const [message] = await until('the event message is posted', async () => {
        const history = (await sim('channels/C0PITSTOP/history')) as {
          text: string;
          ts: string;
          blocks: unknown[];
        }[];
        return history.length > 0 ? history : undefined;
      });
      expect(message!.text).toContain(EVENT);
      expect(JSON.stringify(message!.blocks)).toMatch(/"text":"Approve".*"text":"Deny"/);

      const denied = await execa('node', [bin, 'deny', 'gpu-1', '--reason', 'long training run'], {
        reject: false,
        env,
      });
      expect(denied.exitCode).toBe(0);
      const updated = await until('the message is updated in place', async () => {
        const history = (await sim('channels/C0PITSTOP/history')) as {
          ts: string;
          blocks: unknown[];
          edited?: unknown;
        }[];
        return history[0]?.edited ? history : undefined;
      });
      expect(updated).toHaveLength(1);
      expect(updated[0]!.ts).toBe(message!.ts);
      expect(JSON.stringify(updated[0]!.blocks)).toContain('long training run');
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await serve;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Slack: posting as pitstop');
    expect(result.stdout).not.toContain(slack.botToken);
  });

  it('stops start-up when Slack refuses the bot token, saying what to do and never the token', async () => {
    const forged = 'xoxb-0000-forged-token';
    const result = await execa('node', [bin, 'serve'], {
      reject: false,
      env: { ...env, SLACK_BOT_TOKEN: forged },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^pitstop: Slack refused SLACK_BOT_TOKEN \(invalid_auth\): set it to the app's Bot User OAuth Token/m,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(forged);
  });
});
