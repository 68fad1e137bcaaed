import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain } from '../../src/phases/drain.js';
import { maintenance } from '../../src/phases/maintenance.js';
import { schedule } from '../../src/phases/schedule.js';
import { FAST_RETRY } from '../oci/sim-fixture.js';
import { EVENTS, type Pipeline, startPipeline } from '../support/pipeline.js';

/**
 * Waits survive errors that can heal: OCI failing past the SDK's retries, slurmctld not
 * answering. Only the wait's deadline, or an error that cannot heal, ends it.
 */

let pipeline: Pipeline;
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(() => pipeline.stop());

const { id: eventId, node } = EVENTS.flex;

/** Runs `act` once, the first time a thread line matches. */
function onFirstLine(pattern: RegExp, act: () => void): void {
  let done = false;
  pipeline.onThreadLine((line) => {
    if (!done && pattern.test(line)) {
      done = true;
      act();
    }
  });
}

const reportsOf = (source: string) =>
  pipeline.thread.filter((line) => line.startsWith(`${source} failed while Pitstop waits`));
const recoveriesOf = (source: string) =>
  pipeline.thread.filter((line) => line.startsWith(`${source} answers again`));

describe('waits and errors that can heal', () => {
  it('a 5xx burst longer than the SDK retries in the middle of the maintenance wait: the job goes on and its node returns', async () => {
    // Two looks in a row fail, each after every one of the SDK's attempts.
    onFirstLine(/^OCI event \S+ on gpu-1 is PROCESSING/, () =>
      pipeline.oci.sim.faults.failNext('getInstanceMaintenanceEvent', 'error', 2 * FAST_RETRY.maxAttempts),
    );
    const job = await pipeline.runUntil(await pipeline.approvedJob(eventId, node), 'done');

    expect(job.outcome).toBe('returned');
    expect(job.maintenanceState).toBe('SUCCEEDED');
    expect(pipeline.oci.sim.count('getInstanceMaintenanceEvent', 503)).toBe(2 * FAST_RETRY.maxAttempts);
    expect(reportsOf('OCI')).toEqual([
      expect.stringMatching(
        /^OCI failed while Pitstop waits for OCI to finish event \S+ on gpu-1: getInstanceMaintenanceEvent \(event \S+\) failed: 503 ServiceUnavailable.*The wait goes on until /,
      ),
    ]);
    expect(recoveriesOf('OCI')).toEqual([
      `OCI answers again after 2 errors (waiting for OCI to finish event ${eventId} on gpu-1)`,
    ]);
  });

  it('OCI calls that get no answer at all in the maintenance wait: the wait goes on', async () => {
    let job = await pipeline.approvedJob(eventId, node);
    job = await pipeline.runUntil(job, 'maintenance');
    // Every attempt of one look is carried out by OCI, but its answer is lost on the way.
    onFirstLine(/^OCI event \S+ on gpu-1 is PROCESSING/, () =>
      pipeline.oci.sim.faults.failNext('getInstanceMaintenanceEvent', 'drop', FAST_RETRY.maxAttempts),
    );

    const action = await maintenance(job, pipeline.context());

    expect(action).toEqual({ type: 'maintenance_ended', state: 'SUCCEEDED' });
    expect(reportsOf('OCI')).toEqual([expect.stringContaining('got no answer from OCI after retries')]);
    expect(recoveriesOf('OCI')).toHaveLength(1);
  });

  it('a 401 during the maintenance wait (a rotated key) ends the wait at once and says why, without blind retries', async () => {
    let job = await pipeline.approvedJob(eventId, node);
    job = await pipeline.runUntil(job, 'maintenance');
    onFirstLine(/^OCI event \S+ on gpu-1 is PROCESSING/, () => pipeline.oci.sim.rotateKey());
    const before = pipeline.oci.sim.count('getInstanceMaintenanceEvent');

    const action = await maintenance(job, pipeline.context());

    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(
      /^maintenance of gpu-1 \(event \S+\) stopped: getInstanceMaintenanceEvent \(event \S+\) failed: 401 NotAuthenticated.*was the API key rotated.*OCI_CONFIG_FILE/,
    );
    // The looks before the rotation answered 200; after it, one call and no more.
    const after = pipeline.oci.sim.requests.filter((r) => r.operation === 'getInstanceMaintenanceEvent');
    expect(after.slice(before).filter((r) => r.status === 401)).toHaveLength(1);
    expect(after.at(-1)?.status).toBe(401);
    expect(reportsOf('OCI')).toEqual([]);
  });

  it('an OCI error past the retries in the work request wait: the schedule goes on', async () => {
    let job = await pipeline.approvedJob(eventId, node);
    job = await pipeline.runUntil(job, 'scheduling');
    onFirstLine(/following work request/, () =>
      pipeline.oci.sim.faults.failNext('getWorkRequest', 'error', FAST_RETRY.maxAttempts),
    );

    const action = await schedule(job, pipeline.context());

    expect(action).toMatchObject({ type: 'scheduled', workRequestId: expect.any(String) });
    expect(reportsOf('OCI')).toHaveLength(1);
    expect(recoveriesOf('OCI')).toEqual([expect.stringMatching(/^OCI answers again after 1 error \(/)]);
  });

  it('slurmctld not answering for half an hour during the drain wait: the wait goes on and the node drains', async () => {
    pipeline.slurm.submit(node, { durationMs: 40 * 60_000, user: 'alice', name: 'llm' });
    onFirstLine(/Slurm jobs still running/, () => pipeline.slurm.stopController(30 * 60_000));
    const job = await pipeline.approvedJob(eventId, node);

    const action = await drain(job, pipeline.context());

    expect(action).toEqual({ type: 'drained', drainedBy: 'pitstop' });
    expect(reportsOf('Slurm')).toEqual([
      expect.stringMatching(
        /^Slurm failed while Pitstop waits for gpu-1 to drain: sim: slurmctld does not answer .*The wait goes on until /,
      ),
    ]);
    expect(recoveriesOf('Slurm')).toEqual([
      expect.stringMatching(/^Slurm answers again after \d+ errors \(waiting for gpu-1 to drain\)$/),
    ]);
  });

  it('slurmctld not answering during the wait for the node to come back: the wait goes on', async () => {
    const since = pipeline.clock.now();
    pipeline.slurm.reboot(node, 10 * 60_000);
    pipeline.slurm.stopController(20 * 60_000);
    const lines: string[] = [];

    const status = await pipeline.cluster.waitBack(node, since, {
      deadline: new Date(since.getTime() + 3_600_000),
      onProgress: (line) => lines.push(line),
    });

    expect(status.responding).toBe(true);
    expect(lines.filter((line) => line.startsWith('Slurm failed while Pitstop waits'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('Slurm answers again'))).toHaveLength(1);
  });

  it('slurmctld not answering until the drain deadline: the wait gives up with the last error', async () => {
    pipeline.slurm.submit(node, { durationMs: 40 * 60_000 });
    onFirstLine(/Slurm jobs still running/, () => pipeline.slurm.stopController());
    const job = await pipeline.approvedJob(eventId, node);

    const action = await drain(job, pipeline.context({ settings: { drainTimeoutMs: 3_600_000 } }));

    expect(action.type).toBe('fail');
    expect(action.type === 'fail' && action.reason).toMatch(
      /^drain of gpu-1 \(event \S+\) stopped: gave up waiting for gpu-1 to drain after 1h: the last \d+ looks failed, the last with: sim: slurmctld does not answer/,
    );
    expect(reportsOf('Slurm')).toHaveLength(1);
  });
});
