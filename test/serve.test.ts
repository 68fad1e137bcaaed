/**
 * `pitstop serve` as a process, headless, against the OCI simulator and a real Slurm test
 * cluster (SLURM_CONF); decisions from `pitstop approve|deny` through its control socket,
 * and, with no serve running, straight into the state file; the tests run in order on one state
 * file and this file's own cluster. Under CI=true a missing Slurm fails.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackDriver } from '../src/sim/slack/driver.js';
import { SlackSimulator } from '../src/sim/slack/server.js';
import { JobStore } from '../src/store/job-store.js';
import { event, type Harness, instance, startHarness, TENANCY } from './oci/sim-fixture.js';
import { freePort } from './support/free-port.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from './support/slurm-cluster.js';
import { missingTool } from './support/system-tools.js';

const bin = new URL('../bin/pitstop.js', import.meta.url).pathname;
const EVENT_1 = event('serve1');
const EVENT_2 = event('serve2');

function scenario() {
  const day = new Date(Date.now() + 86_400_000).toISOString();
  return {
    tenancy: { id: TENANCY },
    instances: ['gpu-1', 'gpu-2'].map((name, i) => ({
      id: instance(`serve${i + 1}`),
      compartmentId: TENANCY,
      displayName: name,
      shape: 'BM.GPU.H100.8',
      // The test cluster's slurmds all listen on localhost: NodeAddr=127.0.0.1.
      privateIp: '127.0.0.1',
    })),
    events: [
      { id: EVENT_1, instanceId: instance('serve1'), timeWindowStart: day },
      { id: EVENT_2, instanceId: instance('serve2'), timeWindowStart: day },
    ],
  };
}

/**
 * The OCI simulator with one instance shown as `node` and one event on it a day away. The test
 * cluster's slurmds all listen on localhost, so NodeAddr=127.0.0.1 by default.
 */
function oneEventOn(key: string, node: string, privateIp = '127.0.0.1') {
  return startHarness({
    tenancy: { id: TENANCY },
    instances: [
      { id: instance(key), compartmentId: TENANCY, displayName: node, shape: 'BM.GPU.H100.8', privateIp },
    ],
    events: [
      {
        id: event(key),
        instanceId: instance(key),
        timeWindowStart: new Date(Date.now() + 86_400_000).toISOString(),
      },
    ],
  });
}

/** GET /healthz until it answers `status`, or fail naming the last answer. */
async function healthz(port: number, status: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === status) return body;
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(200);
  }
  throw new Error(`test: /healthz did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`test: ${what} within ${timeoutMs} ms`);
    await delay(200);
  }
}

describe.skipIf(missingTool(slurmUnavailableReason()))('pitstop serve (headless)', () => {
  let slurm: RunningCluster;
  let oci: Harness;
  let env: Record<string, string>;
  let stateFile: string;
  let port: number;

  beforeAll(async () => {
    [slurm, oci] = await Promise.all([startCluster(), startHarness(scenario())]);
    stateFile = join(mkdtempSync(join(tmpdir(), 'pitstop-serve-')), 'state.json');
    port = await freePort();
    env = {
      ...slurm.env,
      SLURM_CONF: slurm.slurmConf,
      OCI_ENDPOINT: oci.sim.endpoint,
      OCI_CONFIG_FILE: oci.configFile,
      STATE_FILE: stateFile,
      PORT: String(port),
      HEALTH_TRANSPORT: 'local',
      DISCOVERY_CRON: '0 0 1 1 *',
      USER: 'tester',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await oci?.sim.stop();
    await slurm?.stop();
  });

  const pitstop = (args: string[]) => execa('node', [bin, ...args], { reject: false, env });

  it('serves /healthz on PORT, takes decisions over the control socket only, and leaves a consistent state file on SIGTERM', async () => {
    const serve = execa('node', [bin, 'serve'], { reject: false, env });
    try {
      const status = await healthz(port, 200);
      expect(status).toMatchObject({ started: true, jobsByPhase: { awaiting_approval: 2 } });

      const denied = await pitstop(['deny', 'gpu-1', '--reason', 'long training run']);
      expect(denied.stderr).toBe('');
      expect(denied.stdout).toMatch(new RegExp(`^denied ${EVENT_1} \\(gpu-1\\): done .*long training run`));
      expect(denied.exitCode).toBe(0);

      const unknown = await pitstop(['approve', 'gpu-9']);
      expect(unknown.exitCode).toBe(1);
      expect(unknown.stderr).toMatch(/approve gpu-9: no active job for gpu-9 .*\(gpu-2, awaiting_approval\)/);

      expect(denied.stdout).toContain('the node is left alone');
      expect(statSync(`${stateFile}.sock`).mode & 0o777).toBe(0o600);

      // PORT is for probes (and later Slack): no decision is taken there.
      const onPort = await fetch(`http://127.0.0.1:${port}/control/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'gpu-2', by: 'cli:mallory' }),
      });
      expect(onPort.status).toBe(404);
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await serve;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('"slack":"off"');
    expect(result.stdout).toContain('"msg":"stopped"');

    expect(result.stdout).toContain('"by":"cli:tester via control socket"');
    expect(existsSync(`${stateFile}.sock`)).toBe(false);

    const state = await JobStore.read(stateFile);
    expect(state.finished[EVENT_1]?.outcome).toBe('denied');
    expect(Object.values(state.jobs).map((j) => [j.eventId, j.phase])).toEqual([
      [EVENT_2, 'awaiting_approval'],
    ]);
    // Nothing was drained: a denied event leaves its node alone, and the other awaits a human.
    const states = await execa('sinfo', ['-h', '-N', '-o', '%N %t'], { env: slurm.env });
    expect(states.stdout).not.toMatch(/drain|drng/);
  }, 60_000);

  it('with no serve running, records the decision in the state file itself for the next serve', async () => {
    const approved = await pitstop(['approve', EVENT_2]);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toMatch(new RegExp(`^approved ${EVENT_2} \\(gpu-2\\): draining`));
    expect(approved.stdout).toMatch(
      /no pitstop serve on \S+state\.json\.sock: recorded in .*the job runs at the next pitstop serve/,
    );
    const job = Object.values((await JobStore.read(stateFile)).jobs)[0];
    expect(job).toMatchObject({ phase: 'draining', approval: { by: 'cli:tester', via: 'cli' } });
  }, 30_000);

  it('resumes that approved job at the next start: drains the node, schedules, and stops inside the maintenance wait', async () => {
    const serve = execa('node', [bin, 'serve'], {
      reject: false,
      env: { ...env, LEAD_TIME: '1h', POLL_INITIAL: '200ms', POLL_MAX: '1s' },
    });
    try {
      await until('the job waiting for its maintenance', async () => {
        const status = await healthz(port, 200);
        return (status.jobsByPhase as Record<string, number>).maintenance === 1;
      });
    } finally {
      serve.kill('SIGTERM');
    }
    expect((await serve).exitCode).toBe(0);
    const job = Object.values((await JobStore.read(stateFile)).jobs)[0];
    expect(job).toMatchObject({ eventId: EVENT_2, phase: 'maintenance', drainedBy: 'pitstop' });
    expect(job?.workRequestId).toBeTruthy();
    const node = await execa('scontrol', ['show', 'node', 'gpu-2', '-o'], { env: slurm.env });
    expect(node.stdout).toMatch(
      new RegExp(`State=\\S*DRAIN\\S* .*Reason=pitstop ${job?.id}: \\S+ ${EVENT_2}`),
    );
  }, 60_000);

  it('in DRY_RUN auto-approves in a state file of its own, says so, and leaves the real one alone', async () => {
    const before = await JobStore.read(stateFile);
    const serve = execa('node', [bin, 'serve'], {
      reject: false,
      env: { ...env, DRY_RUN: 'true', AUTO_APPROVE: 'ALL' },
    });
    const dryState = stateFile.replace(/state\.json$/, 'state.dry-run.json');
    try {
      await until('the dry run approving every event', async () => {
        const status = await healthz(port, 200);
        return (status.jobsByPhase as Record<string, number>).draining === 2;
      });
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await serve;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`DRY_RUN: jobs and decisions are kept in ${dryState}`);
    expect(await JobStore.read(stateFile)).toEqual(before);
    // The dry run knows nothing of the real decisions (gpu-1 was denied) and they know nothing of its.
    const dryJobs = Object.values((await JobStore.read(dryState)).jobs);
    expect(dryJobs.map((j) => [j.node, j.phase, j.approval?.by]).sort()).toEqual([
      ['gpu-1', 'draining', 'AUTO_APPROVE'],
      ['gpu-2', 'draining', 'AUTO_APPROVE'],
    ]);
    const gpu1 = await execa('scontrol', ['show', 'node', 'gpu-1', '-o'], { env: slurm.env });
    expect(gpu1.stdout).not.toMatch(/DRAIN/);
  }, 60_000);

  it('after a serve killed (SIGKILL) with a job written but not approved, the next serve with AUTO_APPROVE approves it, announcing nothing twice', async () => {
    const event3 = event('serve3');
    const own = await oneEventOn('serve3', 'gpu-1');
    const killedEnv = {
      ...env,
      OCI_ENDPOINT: own.sim.endpoint,
      OCI_CONFIG_FILE: own.configFile,
      STATE_FILE: join(mkdtempSync(join(tmpdir(), 'pitstop-serve-kill-')), 'state.json'),
      PORT: String(await freePort()),
    };
    const killedPort = Number(killedEnv.PORT);
    try {
      // The first serve writes and announces the job; it dies before any approval.
      const first = execa('node', [bin, 'serve'], { reject: false, env: killedEnv });
      await healthz(killedPort, 200);
      first.kill('SIGKILL');
      expect((await first).signal).toBe('SIGKILL');
      const left = Object.values((await JobStore.read(killedEnv.STATE_FILE)).jobs);
      expect(left).toMatchObject([
        { eventId: event3, phase: 'awaiting_approval', announcedAt: expect.any(String) },
      ]);

      const second = execa('node', [bin, 'serve'], {
        reject: false,
        env: { ...killedEnv, AUTO_APPROVE: 'ALL', LEAD_TIME: '1h' },
      });
      try {
        const status = await healthz(killedPort, 200);
        expect((status.jobsByPhase as Record<string, number>).awaiting_approval).toBeUndefined();
      } finally {
        second.kill('SIGTERM');
      }
      const result = await second;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain('"notify":"announce"');
      const job = Object.values((await JobStore.read(killedEnv.STATE_FILE)).jobs)[0];
      expect(job).toMatchObject({ eventId: event3, approval: { by: 'AUTO_APPROVE', via: 'policy' } });
    } finally {
      await own.sim.stop();
    }
  }, 60_000);

  it('pauses and unpauses through the control socket: status shows the pause and the freeze, and an unpause starts the held job at once', async () => {
    const own = await oneEventOn('serve5', 'gpu-4');
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-serve-pause-'));
    const freeze = join(dir, 'freeze');
    writeFileSync(freeze, 'quarterly review\n');
    const pauseEnv = {
      ...env,
      OCI_ENDPOINT: own.sim.endpoint,
      OCI_CONFIG_FILE: own.configFile,
      STATE_FILE: join(dir, 'state.json'),
      PORT: String(await freePort()),
      AUTO_APPROVE: 'ALL',
      LEAD_TIME: '1h',
      BLOCK_FILE: freeze,
      // gpu-2 is still out from the tests before (its job waits in maintenance): capacity must not hold gpu-4.
      MAX_PARTITION_OUT_PERCENT: '100',
    };
    const run = (args: string[]) => execa('node', [bin, ...args], { reject: false, env: pauseEnv });
    // Paused before serve starts: written under the state lock, no serve to ask.
    expect((await run(['pause', '--reason', 'before start'])).exitCode).toBe(0);
    const serve = execa('node', [bin, 'serve'], { reject: false, env: pauseEnv });
    try {
      const paused = await healthz(Number(pauseEnv.PORT), 200);
      expect(paused.paused).toMatchObject({ by: 'cli:tester', reason: 'before start' });

      const unpaused = await run(['unpause']);
      expect(unpaused.stdout).toBe(
        'unpaused by cli:tester\npitstop serve starts approved jobs again as capacity allows',
      );
      // The unpause pumped: the approved job met the freeze at once (discovery runs once a year here).
      const frozen = await healthz(Number(pauseEnv.PORT), 200);
      expect(frozen.paused).toBeUndefined();
      expect(frozen.blockers).toEqual([
        {
          blocker: 'BLOCK_FILE',
          message: `frozen by ${freeze}: quarterly review (remove the file to let new drains start)`,
        },
      ]);

      const again = await run(['pause', '--reason', 'change freeze', '--by', 'bob']);
      expect(again.stdout).toMatch(
        /^paused by bob via control socket at \S+: change freeze\npitstop serve starts no new drain from now on; running jobs finish$/,
      );
      expect((await healthz(Number(pauseEnv.PORT), 200)).paused).toMatchObject({
        by: 'bob via control socket',
      });
      rmSync(freeze);
      expect((await run(['unpause', '--by', 'bob'])).exitCode).toBe(0);
      await until('gpu-4 drained by the job', async () =>
        (await execa('scontrol', ['show', 'node', '-o', 'gpu-4'], { env: slurm.env })).stdout.includes(
          'Reason=pitstop ',
        ),
      );
    } finally {
      serve.kill('SIGTERM');
      await serve;
      await own.sim.stop();
      await execa('scontrol', ['update', 'NodeName=gpu-4', 'State=RESUME'], {
        env: slurm.env,
        reject: false,
      });
    }
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"type":"paused","by":"bob via control socket","reason":"change freeze"');
    expect(audit).toContain('"type":"unpaused","by":"bob via control socket"');
  }, 240_000);

  it('stops cleanly on SIGTERM while a Slurm command runs (execa must not re-raise the signal)', async () => {
    // Slurm commands that say they started, then take 3 s: the SIGTERM lands while one runs.
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-slow-slurm-'));
    const started = join(dir, 'started');
    for (const command of ['scontrol', 'sinfo', 'squeue']) {
      writeFileSync(join(dir, command), `#!/bin/sh\ntouch '${started}'\nsleep 3\nexec ${command} "$@"\n`);
      chmodSync(join(dir, command), 0o755);
    }
    const own = await oneEventOn('serve4', 'gpu-3', '10.0.1.3');
    try {
      const serve = execa('node', [bin, 'serve'], {
        reject: false,
        env: {
          ...env,
          OCI_ENDPOINT: own.sim.endpoint,
          OCI_CONFIG_FILE: own.configFile,
          STATE_FILE: join(dir, 'state.json'),
          PORT: String(await freePort()),
          SLURM_BIN_DIR: dir,
        },
      });
      await until('a Slurm command running', async () => existsSync(started));
      serve.kill('SIGTERM');
      const result = await serve;
      expect(result.signal).toBeUndefined();
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('"msg":"stopped"');
    } finally {
      await own.sim.stop();
    }
  }, 60_000);
  it('with SLACK_MODE=http serves Bolt and /healthz on PORT against the Slack simulator, and refuses a bad bot token', async () => {
    const sim = new SlackSimulator({ workspace: { users: [{ id: 'U0ALICE', name: 'alice' }] } });
    await sim.start();
    const slackPort = await freePort();
    const slackEnv = {
      ...env,
      STATE_FILE: join(mkdtempSync(join(tmpdir(), 'pitstop-serve-slack-')), 'state.json'),
      PORT: String(slackPort),
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: sim.workspace.botToken,
      SLACK_SIGNING_SECRET: sim.workspace.signingSecret,
      SLACK_API_URL: sim.apiUrl,
      SLACK_CHANNEL: 'C0PITSTOP',
      SLACK_APPROVERS: 'U0ALICE',
    };
    try {
      const serve = execa('node', [bin, 'serve'], { reject: false, env: slackEnv });
      try {
        await healthz(slackPort, 200);
        const driver = new SlackDriver(sim, {
          mode: 'http',
          url: `http://127.0.0.1:${slackPort}/slack/events`,
        });
        expect((await driver.command('U0ALICE', 'C0PITSTOP', '/pitstop pause change freeze')).status).toBe(
          200,
        );
        await until('the pause answered in the channel', async () =>
          sim.conversations
            .history('C0PITSTOP')
            .some((m) => m.text.startsWith('⏸️ Paused by <@U0ALICE>: change freeze')),
        );
        expect(await healthz(slackPort, 200)).toMatchObject({
          paused: { by: 'U0ALICE', reason: 'change freeze' },
        });
      } finally {
        serve.kill('SIGTERM');
      }
      const result = await serve;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('"slack":"http"');
      expect(result.stdout).not.toContain(sim.workspace.botToken);
      expect(result.stdout).not.toContain(sim.workspace.signingSecret);

      const refused = await execa('node', [bin, 'serve'], {
        reject: false,
        env: { ...slackEnv, SLACK_BOT_TOKEN: 'xoxb-0000-wrong-token' },
      });
      expect(refused.exitCode).toBe(1);
      // The outbox's auth.test runs before the app's, so its words are the ones said.
      expect(refused.stderr).toContain('pitstop: Slack refused SLACK_BOT_TOKEN (invalid_auth)');
      expect(refused.stderr + refused.stdout).not.toContain('xoxb-0000-wrong-token');
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
