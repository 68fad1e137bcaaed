import { afterEach, describe, expect, it, vi } from 'vitest';
import { SUBCOMMANDS } from '../../../commands/index.js';
import { EVENTS } from '../../support/pipeline.js';
import { CHANNEL, type SlackRig, slackRig } from '../rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** Everything an answer can be: messages only `user` sees, and those in the channel. */
const shown = (r: SlackRig, user: string) => ({
  user: r.sim.conversations.ephemeralFor(user).map((e) => ({ to: 'user', text: e.text, blocks: e.blocks })),
  channel: r.sim.conversations
    .history(CHANNEL)
    .map((m) => ({ to: 'channel', text: m.text, blocks: m.blocks, ts: m.ts })),
});

/** Types `/pitstop <text>` as `user` and resolves with the answer that appears. */
async function ask(user: string, text: string) {
  const r = rig!;
  const before = shown(r, user);
  const delivered = await r.driver.command(user, CHANNEL, `/pitstop ${text}`);
  expect(delivered.status).toBe(200);
  const fresh = () => {
    const now = shown(r, user);
    return [...now.user.slice(before.user.length), ...now.channel.slice(before.channel.length)];
  };
  await vi.waitFor(() => expect(fresh().length).toBeGreaterThan(0));
  const answer = fresh()[0]!;
  return { ...answer, all: `${answer.text}\n${JSON.stringify(answer.blocks)}` };
}

describe('/pitstop through the Bolt app (HTTP mode)', () => {
  it('answers help, list, status and history to the caller alone', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const help = await ask('U0MALLORY', 'help');
    expect(help.to).toBe('user');
    for (const sub of SUBCOMMANDS)
      expect(help.text).toContain(`/pitstop ${sub.usage.replaceAll('<', '&lt;').replaceAll('>', '&gt;')}`);

    expect(await ask('U0MALLORY', 'list')).toMatchObject({ to: 'user', text: '4 active jobs' });
    expect(await ask('U0MALLORY', 'list draining')).toMatchObject({ text: 'No active jobs in draining.' });
    const status = await ask('U0MALLORY', 'status gpu-1');
    expect(status.to).toBe('user');
    expect(status.text).toContain(EVENTS.flex.id);

    await ask('U0BOB', 'deny gpu-2 broken work requests');
    const history = await ask('U0MALLORY', 'history gpu-2');
    expect(history.to).toBe('user');
    expect(history.all).toContain('awaiting_approval → done (deny by U0BOB: broken work requests)');
  });

  it('decides in the channel for approvers, through the orchestrator (via slack)', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const approved = await ask('U0ALICE', 'approve gpu-1');
    expect(approved).toMatchObject({ to: 'channel' });
    expect(approved.text).toMatch(
      /^✅ Approved by <@U0ALICE> at \d\d:\d\d UTC — event `.*flex` on \*gpu-1\*$/,
    );
    expect(rig.store.findByEvent(EVENTS.flex.id)?.approval).toMatchObject({ by: 'U0ALICE', via: 'slack' });

    // The reason is data: kept as typed, never run.
    const denied = await ask('U0BOB', `deny ${EVENTS.broken.id} "$(reboot); rm -rf /"`);
    expect(denied.text).toContain('🚫 Denied by <@U0BOB>');
    const finished = (await rig.audit()).find((r) => r.type === 'finished') as { job: { reason: string } };
    expect(finished.job.reason).toBe('denied by U0BOB: $(reboot); rm -rf /');

    const again = await ask('U0BOB', 'approve gpu-1');
    expect(again).toMatchObject({ to: 'user' });
    expect(again.text).toMatch(/^Could not approve: job .* cannot approve in phase /);
  });

  it('refuses decisions, pauses and health checks to someone who is not an approver, and audits each', async () => {
    rig = await slackRig('http');
    await rig.announce();
    for (const text of ['approve gpu-1', 'deny gpu-1 no', 'pause', 'unpause', 'health gpu-1']) {
      const answer = await ask('U0MALLORY', text);
      expect(answer.to).toBe('user');
      expect(answer.text).toMatch(/^Only Pitstop's approvers \(SLACK_APPROVERS\) may \w+/);
    }
    const refused = (await rig.audit()).filter((r) => r.type === 'refused');
    expect(refused.map((r) => [r.by, r.action, r.args])).toEqual([
      ['U0MALLORY', 'approve', ['gpu-1']],
      ['U0MALLORY', 'deny', ['gpu-1', 'no']],
      ['U0MALLORY', 'pause', []],
      ['U0MALLORY', 'unpause', []],
      ['U0MALLORY', 'health', ['gpu-1']],
    ]);
    expect(rig.store.findByEvent(EVENTS.flex.id)?.phase).toBe('awaiting_approval');
    expect(rig.orchestrator.paused()).toBeUndefined();
  });

  it('pauses (persisted: approved jobs wait) and unpauses (they start)', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const paused = await ask('U0ALICE', 'pause "firmware freeze"');
    expect(paused).toMatchObject({ to: 'channel' });
    expect(paused.text).toContain('⏸️ Paused by <@U0ALICE>: firmware freeze.');
    expect(rig.orchestrator.paused()).toMatchObject({ by: 'U0ALICE', reason: 'firmware freeze' });
    await ask('U0ALICE', 'approve gpu-1');
    await rig.orchestrator.idle();
    expect(rig.store.findByEvent(EVENTS.flex.id)?.phase).toBe('draining');
    expect(rig.notifier.thread(EVENTS.flex.id)).toContain(
      'waits: Pitstop is paused (by U0ALICE: firmware freeze); it starts once unpaused',
    );
    expect(rig.pipeline.slurmUpdates).toEqual([]);

    const unpaused = await ask('U0BOB', 'unpause');
    expect(unpaused.text).toContain('▶️ Unpaused by <@U0BOB>');
    await vi.waitFor(() => expect(rig!.notifier.thread(EVENTS.flex.id)).toContain('draining → scheduling'));
    await rig.orchestrator.idle();
    const types = (await rig.audit()).map((r) => r.type);
    expect(types.filter((t) => t === 'paused' || t === 'unpaused')).toEqual(['paused', 'unpaused']);
  });

  it('sweeps now with discover', async () => {
    rig = await slackRig('http');
    await rig.announce();
    expect(await ask('U0MALLORY', 'discover')).toMatchObject({
      to: 'user',
      text: 'Sweep done: 4 events found, none new.',
    });
  });

  it('runs ad-hoc health checks and answers with the verdict in the thread', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const started = await ask('U0ALICE', 'health gpu-3');
    expect(started).toMatchObject({ to: 'channel' });
    expect(started.text).toContain('🩺 Health checks of *gpu-3* started by <@U0ALICE>');
    const ts = (started as unknown as { ts: string }).ts;
    await vi.waitFor(() => expect(rig!.sim.conversations.replies(CHANNEL, ts)).toHaveLength(1), {
      timeout: 15_000,
    });
    expect(rig.sim.conversations.replies(CHANNEL, ts)[0]!.text).toMatch(/gpu-3/);
  });

  it('gives the usage back for bad arguments and injection attempts, running nothing', async () => {
    rig = await slackRig('http');
    await rig.announce();
    const cases: [string, RegExp][] = [
      ['status', /^name an event \(its OCID\) or a node\.\nUsage: `\/pitstop status &lt;node\|event&gt;`$/],
      ['list nonsense', /^"nonsense" is not a phase\.\nUsage: `\/pitstop list \[phase\]`$/],
      ['frobnicate', /^no subcommand "frobnicate"\.\nUsage: /],
      ['status gpu-1;reboot', /^"gpu-1;reboot" is not a Slurm node name\./],
      ['approve `reboot`', /^"`reboot`" is not a Slurm node name\./],
      ['health $(id)', /^"\$\(id\)" is not a Slurm node name\./],
      ['history ../../etc/passwd', /^"\.\.\/\.\.\/etc\/passwd" is not a Slurm node name\./],
      ['approve ocid1.instancemaintenanceevent.oc1..x;y', /is not a maintenance event OCID\./],
      ['deny "gpu-1', /^a quote is not closed/],
      ['status gpu-1 gpu-2', /^unexpected "gpu-2"\./],
    ];
    for (const [text, expected] of cases) {
      const answer = await ask('U0ALICE', text);
      expect(answer.to, text).toBe('user');
      expect(answer.text, text).toMatch(expected);
    }
    expect(rig.store.list().every((job) => job.phase === 'awaiting_approval')).toBe(true);
    expect(rig.pipeline.slurmUpdates).toEqual([]);
  });
});

describe('/pitstop through the Bolt app (Socket Mode)', () => {
  it('answers through response_url after the envelope is acked', async () => {
    rig = await slackRig('socket');
    await rig.announce();
    expect(await ask('U0MALLORY', 'list')).toMatchObject({ to: 'user', text: '4 active jobs' });
    const approved = await ask('U0ALICE', 'approve gpu-1');
    expect(approved.text).toContain('✅ Approved by <@U0ALICE>');
  });
});
