import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWindows } from '../../src/domain/windows.js';
import { blockFile } from '../../src/gates/blockers/block-file.js';
import { prometheusQuery } from '../../src/gates/blockers/prometheus.js';
import { slurmReservation } from '../../src/gates/blockers/slurm-reservation.js';
import { type Blocker, Gates } from '../../src/gates/gates.js';
import { JobStore } from '../../src/store/job-store.js';
import { type OrchestratorRig, orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, SETTINGS, START, startPipeline } from '../support/pipeline.js';
import { type PrometheusStandIn, series, startPrometheus, vector } from '../support/prometheus.js';

// START is Wednesday 2026-11-25 18:00 UTC; every event's window is a day later.
const THURSDAY_MORNING = 'Thu 09:00-10:00 UTC';
const OPENING = new Date('2026-11-26T09:00:00Z');

let pipeline: Pipeline;
const rigs: OrchestratorRig[] = [];
beforeEach(async () => {
  pipeline = await startPipeline();
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => {});
  await pipeline.stop();
});

async function rig(gates: Gates, options: Parameters<typeof orchestratorOver>[2] = {}) {
  const made = await orchestratorOver(pipeline, tempStateFile(), { ...options, gates });
  rigs.push(made);
  return made;
}

/** When the thread first said a line starting with `prefix`, on the pipeline's clock. */
function whenSaid(made: OrchestratorRig, prefix: string): () => Date | undefined {
  let at: Date | undefined;
  made.notifier.onLine((line) => {
    if (line.startsWith(prefix)) at ??= pipeline.clock.now();
  });
  return () => at;
}

const drains = (node: string) =>
  pipeline.slurmUpdates.filter((u) => u.node === node).map((u) => u.update.state);

describe('MAINTENANCE_WINDOWS', () => {
  it('an approved job outside every window waits, says so once, and drains by itself at the opening', async () => {
    const made = await rig(new Gates(parseWindows(THURSDAY_MORNING), []));
    const drainedAt = whenSaid(made, 'gpu-1: draining');
    await made.orchestrator.sweep();
    await made.orchestrator.approve('gpu-1', 'U1', 'cli');
    await made.orchestrator.sweep(); // a second look while it waits says nothing new
    await made.orchestrator.idle();

    const thread = made.notifier.thread(EVENTS.flex.id);
    expect(thread.filter((l) => l.includes('waits for the window'))).toEqual([
      'gpu-1: waits for the window Thu 09:00 UTC',
    ]);
    expect(drainedAt()!.getTime()).toBeGreaterThanOrEqual(OPENING.getTime());
    expect(drains('gpu-1')).toEqual(['DRAIN', 'RESUME']);
    expect(made.store.findByEvent(EVENTS.flex.id)).toBeUndefined();
  });

  it('names the opening in the window zone, with its abbreviation', async () => {
    const made = await rig(new Gates(parseWindows('Mon-Fri 08:00-09:00 America/Chicago'), []));
    await made.orchestrator.sweep();
    await made.orchestrator.approve('gpu-1', 'U1', 'cli');
    await made.orchestrator.idle();
    expect(made.notifier.thread(EVENTS.flex.id)).toContain('gpu-1: waits for the window Thu 08:00 CST');
  });

  it('starts at once when the hard due date comes before the next window, and says why', async () => {
    const due = new Date(START.getTime() + 6 * 3_600_000).toISOString();
    pipeline.oci.sim.fleet.event(EVENTS.flex.id).timeHardDueDate = due;
    const made = await rig(new Gates(parseWindows(THURSDAY_MORNING), []));
    const drainedAt = whenSaid(made, 'gpu-1: draining');
    await made.orchestrator.sweep();
    await made.orchestrator.approve('gpu-1', 'U1', 'cli');
    await made.orchestrator.idle();
    expect(made.notifier.thread(EVENTS.flex.id)).toContain(
      `gpu-1: starts outside MAINTENANCE_WINDOWS: its hard due date ${due} comes before the next window (Thu 09:00 UTC), and OCI maintains the instance by itself then`,
    );
    expect(drainedAt()).toEqual(START);
    expect(drains('gpu-1')).toEqual(['DRAIN', 'RESUME']);
  });

  it('drains a fixed-window event at its lead even outside every window, saying OCI acts at its own time', async () => {
    const made = await rig(new Gates(parseWindows(THURSDAY_MORNING), []), {
      fixedWindowDrainLeadMs: 2 * 3_600_000,
    });
    const drainedAt = whenSaid(made, 'gpu-4: draining');
    await made.orchestrator.sweep();
    await made.orchestrator.approve('gpu-4', 'U1', 'cli');
    await made.orchestrator.idle();
    const windowStart = pipeline.oci.sim.fleet.event(EVENTS.fixed.id).timeWindowStart!;
    expect(made.notifier.thread(EVENTS.fixed.id)).toContain(
      `gpu-4: starts outside MAINTENANCE_WINDOWS: OCI maintains this instance at its own fixed window ${windowStart} whatever Pitstop does, and the node should be drained by then rather than rebooted under its Slurm jobs`,
    );
    expect(drainedAt()).toEqual(new Date(new Date(windowStart).getTime() - 2 * 3_600_000));
    expect(drains('gpu-4')[0]).toBe('DRAIN');
  });
});

describe('blockers', () => {
  /** Holds, says which blocker holds once however often it is looked at, shows it in status(), then lifts. */
  async function holdsThenLifts(blocker: Blocker, expected: RegExp, lift: () => void | Promise<void>) {
    const made = await rig(new Gates([], [blocker]));
    await made.orchestrator.sweep();
    await made.orchestrator.approve('gpu-1', 'U1', 'cli');
    await made.orchestrator.idle();
    await made.orchestrator.sweep();
    await made.orchestrator.idle();
    const held = made.notifier.thread(EVENTS.flex.id).filter((l) => l.startsWith('gpu-1: held by'));
    expect(held).toHaveLength(1);
    expect(held[0]).toMatch(expected);
    expect(made.store.findByEvent(EVENTS.flex.id)?.phase).toBe('draining');
    expect(drains('gpu-1')).toEqual([]);
    expect(made.orchestrator.status().blockers).toEqual([
      { blocker: expect.stringContaining(blocker.name), message: expect.stringMatching(/./) },
    ]);

    await lift();
    await made.orchestrator.sweep();
    await made.orchestrator.idle();
    expect(drains('gpu-1')).toEqual(['DRAIN', 'RESUME']);
    expect(made.store.findByEvent(EVENTS.flex.id)).toBeUndefined();
    expect(made.orchestrator.status().blockers).toBeUndefined();
  }

  it('BLOCK_FILE holds new drains while it exists, naming its first line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pitstop-freeze-')), 'freeze');
    writeFileSync(path, 'GTC demo week\n');
    await holdsThenLifts(
      blockFile(path),
      new RegExp(`^gpu-1: held by BLOCK_FILE: frozen by ${path}: GTC demo week`),
      () => rmSync(path),
    );
  });

  it('a Slurm reservation on the node before its maintenance would end holds it; one after does not', async () => {
    const now = pipeline.clock.now().getTime();
    pipeline.slurm.reserve('late', { nodes: ['gpu-1'], startMs: now + 3 * 3_600_000, durationMs: 3_600_000 });
    pipeline.slurm.reserve('train_run', {
      nodes: ['gpu-1', 'gpu-2'],
      startMs: now + 30 * 60_000,
      durationMs: 3_600_000,
    });
    await holdsThenLifts(
      slurmReservation(pipeline.cluster, SETTINGS.leadTimeMs),
      /^gpu-1: held by Slurm reservation: Slurm reservation train_run \(.*\) holds gpu-1, and the maintenance would last until about .* \(lead time plus its estimatedDuration PT1H\)/,
      () => pipeline.slurm.deleteReservation('train_run'),
    );
  });

  describe('Prometheus', () => {
    let prometheus: PrometheusStandIn;
    beforeEach(async () => {
      prometheus = await startPrometheus();
    });
    afterEach(() => prometheus.stop());

    it('a query with a result holds new drains, naming the series; an empty one lets them start', async () => {
      prometheus.answer(200, vector([series({ __name__: 'ALERTS', alertname: 'FabricDegraded' })]));
      await holdsThenLifts(
        prometheusQuery(prometheus.url, 'ALERTS{alertstate="firing"}'),
        /^gpu-1: held by Prometheus: the Prometheus query `ALERTS\{alertstate="firing"\}` returns ALERTS\{alertname="FabricDegraded"\}/,
        () => prometheus.answer(200, vector([])),
      );
    });

    it('reads a fleet-wide blocker once per look, however many jobs wait', async () => {
      prometheus.answer(200, vector([series({ alertname: 'FabricDegraded' })]));
      const made = await rig(new Gates([], [prometheusQuery(prometheus.url, 'ALERTS')]));
      await made.orchestrator.sweep();
      const before = prometheus.queries.length;
      for (const node of ['gpu-1', 'gpu-2', 'gpu-3']) await made.orchestrator.approve(node, 'U1', 'cli');
      await made.orchestrator.idle();
      // Each approval pumps once: one query per pump, not one per waiting job.
      expect(prometheus.queries.length - before).toBe(3);
      expect(drains('gpu-1')).toEqual([]);
    });
  });

  it('a job past its drain goes on whatever holds (it holds its node already)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pitstop-freeze-')), 'freeze');
    const stateFile = tempStateFile();
    const first = await orchestratorOver(pipeline, stateFile);
    await first.orchestrator.sweep();
    await first.orchestrator.approve('gpu-1', 'U1', 'cli');
    // Stop once the node is drained: the job is past its drain when the freeze comes.
    await new Promise<void>((resolve) =>
      first.notifier.onLine((line) => {
        if (line === 'draining → scheduling') resolve();
      }),
    );
    await first.close();
    const left = Object.values((await JobStore.read(stateFile)).jobs).find(
      (j) => j.eventId === EVENTS.flex.id,
    );
    expect(left?.phase).toMatch(/^(scheduling|maintenance)$/);
    writeFileSync(path, 'freeze\n');
    const second = await orchestratorOver(pipeline, stateFile, { gates: new Gates([], [blockFile(path)]) });
    rigs.push(second);
    await second.orchestrator.start();
    await second.orchestrator.idle();
    expect(second.notifier.thread(EVENTS.flex.id).some((l) => l.includes('held by'))).toBe(false);
    expect(drains('gpu-1')).toEqual(['DRAIN', 'RESUME']);
  });
});
