/**
 * `pitstop serve` as a process, headless, with TICKET_WEBHOOK_URL set: a node whose maintenance
 * OCI reports FAILED is kept out on a real Slurm and gets one ticket. The issue found this very
 * run without a call. Slurm is the real test cluster (under CI=true it must be there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAudit } from '../../src/store/audit-reader.js';
import { event, type Harness, instance, startHarness, TENANCY } from '../oci/sim-fixture.js';
import { freePort } from '../support/free-port.js';
import { type RunningCluster, slurmUnavailableReason, startCluster } from '../support/slurm-cluster.js';
import { missingTool } from '../support/system-tools.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
const EVENT = event('ticketserve1');

describe.skipIf(missingTool(slurmUnavailableReason()))('pitstop serve with TICKET_WEBHOOK_URL', () => {
  let slurm: RunningCluster;
  let oci: Harness;
  let tickets: WebhookReceiver;

  beforeAll(async () => {
    [slurm, oci, tickets] = await Promise.all([
      startCluster(),
      startHarness({
        tenancy: { id: TENANCY },
        instances: [
          {
            id: instance('ticketserve1'),
            compartmentId: TENANCY,
            displayName: 'gpu-1',
            shape: 'BM.GPU.H100.8',
            // The test cluster's slurmds all listen on localhost: NodeAddr=127.0.0.1.
            privateIp: '127.0.0.1',
          },
        ],
        events: [
          {
            id: EVENT,
            instanceId: instance('ticketserve1'),
            timeWindowStart: new Date(Date.now() + 86_400_000).toISOString(),
            maintenanceReason: 'HARDWARE_REPLACEMENT',
            outcome: 'FAILED',
          },
        ],
        lifecycle: {
          workRequestAccepted: '100ms',
          workRequestInProgress: '200ms',
          eventStarted: '300ms',
          eventProcessing: '500ms',
        },
      }),
      WebhookReceiver.start(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await tickets?.stop();
    await oci?.sim.stop();
    await slurm?.stop();
  });

  it('keeps the node out and opens one ticket, recorded in the job; the log names the origin only', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'pitstop-ticket-serve-')), 'state.json');
    const serve = execa('node', [bin, 'serve'], {
      reject: false,
      env: {
        ...slurm.env,
        SLURM_CONF: slurm.slurmConf,
        OCI_ENDPOINT: oci.sim.endpoint,
        OCI_CONFIG_FILE: oci.configFile,
        STATE_FILE: stateFile,
        PORT: String(await freePort()),
        HEALTH_TRANSPORT: 'local',
        DISCOVERY_CRON: '0 0 1 1 *',
        AUTO_APPROVE: 'ALL',
        LEAD_TIME: '0',
        POLL_INITIAL: '200ms',
        POLL_MAX: '1s',
        TICKET_WEBHOOK_URL: tickets.url,
        LOG_LEVEL: 'info',
      },
    });
    const finished = async () =>
      (
        await scanAudit(
          join(stateFile, '..', 'audit.jsonl'),
          (r) => (r as { type?: string }).type === 'finished',
        )
      )[0] as { job: Record<string, unknown> } | undefined;
    try {
      const deadline = Date.now() + 90_000;
      while (!(await finished())) {
        if (Date.now() > deadline) throw new Error('test: the job did not finish within 90 s');
        await delay(250);
      }
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await serve;
    expect(result.exitCode).toBe(0);

    expect(tickets.received).toHaveLength(1);
    expect(tickets.received[0]).toMatchObject({
      idempotencyKey: expect.stringMatching(/^pitstop-ticket-[0-9a-f]{40}$/),
      body: { kind: 'pitstop.ticket', node: 'gpu-1', event: { id: EVENT, maintenanceState: 'FAILED' } },
    });
    expect((await finished())?.job).toMatchObject({
      outcome: 'kept_out',
      ticket: { opened: true, id: 'OPS-1', url: `${tickets.origin}/browse/OPS-1` },
    });
    const node = await execa('scontrol', ['show', 'node', 'gpu-1', '-o'], { env: slurm.env });
    expect(node.stdout).toMatch(
      /State=\S*DRAIN\S* .*Reason=pitstop job-[0-9a-f]{16}: OCI reports the maintenance FAILED/,
    );
    expect(result.stdout).toContain(`"ticket":{"opened":true,"id":"OPS-1"`);
    expect(result.stdout).toContain(`${tickets.origin} took it (201)`);
    expect(result.stdout).not.toContain('s3cr3t');
  }, 150_000);
});
