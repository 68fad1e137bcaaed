import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { TERMINATE_OFF } from '../../src/orchestrator/terminate.js';
import { withTerminateOffer } from '../../src/slack/blocks/terminate-offer.js';
import { keptOutJob } from '../support/kept-out.js';
import { EVENTS } from '../support/pipeline.js';
import { CHANNEL, type SlackRig, slackRig } from './rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const flex = EVENTS.flex;
const ephemeralTexts = (user: string) => rig!.sim.conversations.ephemeralFor(user).map((e) => e.text);

/** The Slack app over a job that kept its failed node out, and the verdict reply with the button, posted as the notifier posts it. */
async function setUp(triageTerminate: boolean): Promise<{ job: MaintenanceJob; ts: string }> {
  rig = await slackRig('http', { orchestrator: { triageTerminate } });
  const { pipeline } = rig;
  const job = await keptOutJob(
    rig.store,
    { cloud: pipeline.oci.cloud, cluster: pipeline.cluster, clock: pipeline.clock },
    flex.id,
    flex.node,
  );
  const client = new WebClient(rig.sim.workspace.botToken, { slackApiUrl: rig.sim.apiUrl });
  const posted = await client.chat.postMessage({
    channel: CHANNEL,
    ...withTerminateOffer(job, `❌ *${flex.node} kept out:* health FAIL`),
  });
  return { job, ts: posted.ts! };
}

const click = (user: string, ts: string) =>
  rig!.driver.click(user, { channel: CHANNEL, ts, actionId: 'pitstop_terminate' });

describe('Terminate instance in Slack, through the Bolt app', () => {
  it('two approvers: the first is recorded, the same one again changes nothing, the second terminates once', async () => {
    const { job, ts } = await setUp(true);
    expect((await click('U0ALICE', ts)).status).toBe(200);
    await vi.waitFor(() => expect(ephemeralTexts('U0ALICE')).toHaveLength(1));
    expect(ephemeralTexts('U0ALICE')[0]).toContain('waits for a second approver other than you');
    expect(rig!.notifier.thread(flex.id).at(-1)).toContain(
      'U0ALICE asks to terminate instance ocid1.instance.oc1.iad.aaaaaaaagpu1 of gpu-1',
    );

    await click('U0ALICE', ts);
    await vi.waitFor(() => expect(ephemeralTexts('U0ALICE')).toHaveLength(2));
    expect(ephemeralTexts('U0ALICE')[1]).toContain('You already asked');
    expect(rig!.pipeline.oci.sim.count('terminateInstance')).toBe(0);

    await click('U0BOB', ts);
    await vi.waitFor(() => expect(ephemeralTexts('U0BOB')).toHaveLength(1));
    expect(ephemeralTexts('U0BOB')[0]).toContain('is terminating at OCI (asked by U0ALICE and U0BOB)');
    expect(rig!.pipeline.oci.sim.count('terminateInstance')).toBe(1);
    expect(rig!.store.termination(job.id)).toMatchObject({ state: 'terminated' });
    const audit = await rig!.audit();
    expect(audit.filter((r) => r.type === 'terminate_requested').map((r) => r.by)).toEqual([
      'U0ALICE',
      'U0BOB',
    ]);
    expect(audit.filter((r) => r.type === 'terminated')).toHaveLength(1);
  });

  it('refuses someone who is not an approver: ephemeral, audited, nothing recorded', async () => {
    const { job, ts } = await setUp(true);
    await click('U0MALLORY', ts);
    await vi.waitFor(() => expect(ephemeralTexts('U0MALLORY')).toHaveLength(1));
    expect(ephemeralTexts('U0MALLORY')[0]).toMatch(
      /^You may not terminate event .* only Pitstop's approvers/,
    );
    expect((await rig!.audit()).filter((r) => r.type === 'refused')).toEqual([
      expect.objectContaining({ by: 'U0MALLORY', action: 'terminate', via: 'slack', jobId: job.id }),
    ]);
    expect(rig!.store.termination(job.id)).toBeUndefined();
    // A non-approver's click is not one of the two people.
    await click('U0ALICE', ts);
    await vi.waitFor(() => expect(ephemeralTexts('U0ALICE')).toHaveLength(1));
    expect(ephemeralTexts('U0ALICE')[0]).toContain('waits for a second approver');
    expect(rig!.pipeline.oci.sim.count('terminateInstance')).toBe(0);
  });

  it('with TRIAGE_TERMINATE off answers the click with how to turn it on', async () => {
    const { job, ts } = await setUp(false);
    await click('U0ALICE', ts);
    await vi.waitFor(() => expect(ephemeralTexts('U0ALICE')).toHaveLength(1));
    expect(ephemeralTexts('U0ALICE')[0]).toBe(TERMINATE_OFF);
    expect(rig!.store.termination(job.id)).toBeUndefined();
  });
});
