/**
 * Every Slurm fixture (test/fixtures/SOURCES.md) is read by the parser it belongs to; a fixture
 * added without a case here fails the first test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifySlurmFailure } from '../../src/slurm/errors.js';
import { gpusFromGres } from '../../src/slurm/parsers/gres.js';
import { parseNodeState } from '../../src/slurm/parsers/node-state.js';
import { parseScontrolNodes } from '../../src/slurm/parsers/scontrol-node.js';
import { parseScontrolReservations } from '../../src/slurm/parsers/scontrol-reservation.js';
import { parseSlurmTime } from '../../src/slurm/parsers/slurm-time.js';
import { parseSqueue } from '../../src/slurm/parsers/squeue.js';

const DIR = join(import.meta.dirname, '../fixtures/slurm');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const lines = (file: string) =>
  read(file)
    .split('\n')
    .filter((line) => line.trim());
/** The drain verdicts of many state words, as counts. */
const tally = (words: string[]) => {
  const counts: Record<string, number> = {};
  for (const word of words) {
    const state = parseNodeState(word);
    const key = `${state.drain}${state.responding ? '' : '*'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

const cases: Record<string, () => void> = {
  'scontrol-show-node-o_22.05_gpu8-all-4-nodes.txt': () => {
    const nodes = parseScontrolNodes(read('scontrol-show-node-o_22.05_gpu8-all-4-nodes.txt'));
    expect(nodes.map((n) => [n.name, n.state, n.drain, n.reason])).toEqual([
      ['gpu-1', 'IDLE', 'none', undefined],
      [
        'gpu-2',
        'MIXED',
        'draining',
        'pitstop: HPCRDMA-0002-02 event ocid1.instancemaintenanceevent.oc1.iad.abc',
      ],
      ['gpu-3', 'IDLE', 'drained', 'hw ticket 4711 bad fan'],
      ['gpu-4', 'DOWN', 'none', 'simulated reboot'],
    ]);
    for (const node of nodes) {
      expect(node).toMatchObject({ gpus: 8, gpuType: 'h100', partitions: ['gpu'], address: '127.0.0.1' });
    }
  },
  'scontrol-show-node-o_22.05_gpu8-down_slurmd-stopped.txt': () => {
    const [node] = parseScontrolNodes(read('scontrol-show-node-o_22.05_gpu8-down_slurmd-stopped.txt'));
    // DOWN set by hand before SlurmdTimeout: Slurm still counts it as responding.
    expect(node).toMatchObject({ name: 'gpu-4', state: 'DOWN', drain: 'none', responding: true });
    expect(node!.reasonTime).toBe(parseSlurmTime('2026-11-25T18:01:09'));
  },
  'scontrol-show-node-o_22.05_gpu8-idle-drain_reason-with-spaces.txt': () => {
    const [node] = parseScontrolNodes(
      read('scontrol-show-node-o_22.05_gpu8-idle-drain_reason-with-spaces.txt'),
    );
    expect(node).toMatchObject({
      state: 'IDLE',
      flags: ['DRAIN'],
      drain: 'drained',
      reason: 'hw ticket 4711 bad fan',
      reasonUser: 'root',
    });
  },
  'scontrol-show-node-o_22.05_gpu8-idle.txt': () => {
    const [node] = parseScontrolNodes(read('scontrol-show-node-o_22.05_gpu8-idle.txt'));
    expect(node).toMatchObject({ name: 'gpu-1', state: 'IDLE', flags: [], drain: 'none', responding: true });
    expect(node!.reason).toBeUndefined();
    expect(node!.hostname).toBe('vm');
    expect(node!.slurmdStartTime).toBe(new Date(2026, 10, 25, 18, 0, 52).toISOString());
    expect(node!.bootTime).toBe(new Date(2026, 10, 25, 17, 36, 56).toISOString());
  },
  'scontrol-show-node-o_22.05_gpu8-mixed-drain_draining-two-jobs.txt': () => {
    const [node] = parseScontrolNodes(
      read('scontrol-show-node-o_22.05_gpu8-mixed-drain_draining-two-jobs.txt'),
    );
    expect(node).toMatchObject({ state: 'MIXED', flags: ['DRAIN'], drain: 'draining' });
    expect(node!.reason).toMatch(/^pitstop: /);
  },
  'scontrol-show-node-o_22.05_unknown-node.txt': () => {
    const text = read('scontrol-show-node-o_22.05_unknown-node.txt');
    expect(parseScontrolNodes(text)).toEqual([]);
    expect(classifySlurmFailure(text)).toBe('unknown-node');
  },
  'scontrol-show-node_22.05_gpu8-idle_multiline.txt': () => {
    // The multi-line form says the same as the one-line form of the same node.
    expect(parseScontrolNodes(read('scontrol-show-node_22.05_gpu8-idle_multiline.txt'))).toEqual(
      parseScontrolNodes(read('scontrol-show-node-o_22.05_gpu8-idle.txt')),
    );
  },
  'scontrol-show-reservation-o_22.05_future-and-active-maint.txt': () => {
    const file = 'scontrol-show-reservation-o_22.05_future-and-active-maint.txt';
    expect(parseScontrolReservations(read(file))).toEqual([
      {
        name: 'train_run',
        start: parseSlurmTime('2026-11-30T16:57:39'),
        end: parseSlurmTime('2026-11-30T18:57:39'),
        nodes: ['gpu-1', 'gpu-2', 'gpu-4'],
        state: 'INACTIVE',
        users: 'root',
        flags: ['SPEC_NODES'],
      },
      {
        name: 'maint_win',
        start: parseSlurmTime('2026-11-30T15:57:39'),
        end: parseSlurmTime('2026-11-30T16:27:39'),
        nodes: ['gpu-3'],
        state: 'ACTIVE',
        users: 'root',
        flags: ['MAINT', 'SPEC_NODES'],
      },
    ]);
  },
  'scontrol-update-drain-no-reason_22.05_refused.txt': () => {
    // A refusal, not an outage: never retried.
    expect(classifySlurmFailure(read('scontrol-update-drain-no-reason_22.05_refused.txt'))).toBe('refused');
  },
  'sinfo-R_22.05_two-drains.txt': () => {
    // Not parsed on purpose: sinfo -R cuts reasons at 20 characters, so reasons come from scontrol.
    const [, ours] = lines('sinfo-R_22.05_two-drains.txt');
    const [full] = parseScontrolNodes(
      read('scontrol-show-node-o_22.05_gpu8-mixed-drain_draining-two-jobs.txt'),
    );
    expect(ours!.slice(0, 20).trim()).toBe(full!.reason!.slice(0, 20).trim());
    expect(full!.reason!.length).toBeGreaterThan(20);
  },
  'sinfo-all-N-O-pipe_gres_drained-dollar.txt': () => {
    const rows = lines('sinfo-all-N-O-pipe_gres_drained-dollar.txt').map((l) =>
      l.split('|').map((f) => f.trim()),
    );
    expect(tally(rows.map((r) => r[5]!))).toEqual({ none: 9, drained: 1 });
    const drained = rows.find((r) => parseNodeState(r[5]!).drain === 'drained')!;
    expect(parseNodeState(drained[5]!).flags).toEqual(['MAINTENANCE']);
    expect(rows.map((r) => gpusFromGres(r[1]).count)).toEqual(rows.map(() => 8));
  },
  'sinfo-all-N-o-all_drain-star_replace.txt': () => {
    const [header, ...rows] = lines('sinfo-all-N-o-all_drain-star_replace.txt').map((l) =>
      l.split('|').map((f) => f.trim()),
    );
    const short = header!.indexOf('STATE');
    const long = header!.lastIndexOf('STATE');
    expect(short).not.toBe(long);
    for (const row of rows) {
      // The compact (%t) and long (%T) names of one state agree.
      const [a, b] = [parseNodeState(row[short]!), parseNodeState(row[long]!)];
      expect([a.drain, a.responding]).toEqual([b.drain, b.responding]);
    }
    expect(tally(rows.map((r) => r[short]!))).toEqual({ 'drained*': 2, none: 2 });
    expect(rows.map((r) => gpusFromGres(r[header!.indexOf('GRES')]).count)).toEqual([8, 8, 8, 2]);
  },
  'sinfo-h-N-O-nodelist-allocmem-memory-cpusstate-statelong.txt': () => {
    const states = lines('sinfo-h-N-O-nodelist-allocmem-memory-cpusstate-statelong.txt').map(
      (l) => l.trim().split(/\s+/)[4]!,
    );
    expect(tally(states)).toEqual({ none: 21 });
    expect(states.map((s) => parseNodeState(s).state).filter((s) => s === 'DOWN')).toHaveLength(4);
  },
  'sinfo-h-N-o-N-t-E_22.05_drng-drain-down.txt': () => {
    const rows = lines('sinfo-h-N-o-N-t-E_22.05_drng-drain-down.txt').map((l) => l.split(' '));
    expect(rows.map(([node, state]) => [node, parseNodeState(state!).drain])).toEqual([
      ['gpu-1', 'none'],
      ['gpu-2', 'draining'],
      ['gpu-3', 'drained'],
      ['gpu-4', 'none'],
    ]);
  },
  'sinfo-h-N-o-N-t_22.05_idle-drng-drain.txt': () => {
    const states = lines('sinfo-h-N-o-N-t_22.05_idle-drng-drain.txt').map((l) => l.split(' ')[1]!);
    expect(states.map((s) => parseNodeState(s).drain)).toEqual(['none', 'draining', 'drained', 'none']);
  },
  'sinfo-h-o-n-T-csv_down-drained-draining-fail.txt': () => {
    const states = lines('sinfo-h-o-n-T-csv_down-drained-draining-fail.txt').map((l) => l.split(',')[1]!);
    // 7 drained + 11 drained*; 10 draining; 66 down* + 1 fail* not responding.
    expect(tally(states)).toEqual({ drained: 7, 'drained*': 11, draining: 10, none: 614, 'none*': 67 });
    expect(parseNodeState('fail*')).toMatchObject({ state: 'FAIL', responding: false });
  },
  'sinfo-json_slurm21.08_openapi-v0.0.37.txt': () => {
    const { nodes } = JSON.parse(read('sinfo-json_slurm21.08_openapi-v0.0.37.txt')) as {
      nodes: { state: string; state_flags: string[] }[];
    };
    const states = nodes.map((n) => parseNodeState([n.state, ...n.state_flags].join('+')).state);
    expect(states).toEqual(['MIXED', 'IDLE', 'ALLOCATED', 'DOWN']);
  },
  'sinfo_default_down-star_down_mix.txt': () => {
    const rows = lines('sinfo_default_down-star_down_mix.txt')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => parseNodeState(r[4]!).state)).toContain('MIXED');
    expect(tally(rows.map((r) => r[4]!))).toEqual({ none: 10, 'none*': 2 });
  },
  'sinfo_hyperpod_fail.txt': () => {
    const [, failed] = lines('sinfo_hyperpod_fail.txt').map((l) => l.trim().split(/\s+/));
    expect(parseNodeState(failed![4]!)).toMatchObject({ state: 'FAIL', drain: 'none' });
  },
  'sinfo_hyperpod_failg.txt': () => {
    const [, failing] = lines('sinfo_hyperpod_failg.txt').map((l) => l.trim().split(/\s+/));
    expect(parseNodeState(failing![4]!)).toMatchObject({ state: 'FAILING', drain: 'none' });
  },
  'slurmrestd-nodes-json-v0.0.40_slurm23.11_drain-down-reasons.txt': () => {
    const { nodes } = JSON.parse(read('slurmrestd-nodes-json-v0.0.40_slurm23.11_drain-down-reasons.txt')) as {
      nodes: { name: string; state: string[]; gres: string }[];
    };
    const parsed = nodes.map((n) => ({
      name: n.name,
      ...parseNodeState(n.state.join('+')),
      gpus: gpusFromGres(n.gres),
    }));
    expect(parsed.filter((n) => n.drain === 'drained').map((n) => n.name)).toEqual(['n0164', 'n0999']);
    expect(parsed.filter((n) => !n.responding).map((n) => n.name)).toEqual(['dtn1', 'dtn2']);
    expect(parsed.find((n) => n.name === 'n0161')!.gpus).toEqual({ count: 21, type: '1g.10gb' });
    expect(parsed.find((n) => n.name === 'n1000')!.gpus).toEqual({ count: 8, type: 'nvidia_h100_80gb_hbm3' });
  },
  'squeue-h-w-node-pipe_22.05_two-running.txt': () => {
    expect(parseSqueue(read('squeue-h-w-node-pipe_22.05_two-running.txt'))).toEqual([
      {
        id: '1',
        user: 'root',
        name: 'train-llm',
        state: 'RUNNING',
        elapsed: '0:04',
        timeLimit: 'UNLIMITED',
        gres: 'gres:gpu:h100:4',
      },
    ]);
  },
};

describe('Slurm fixtures', () => {
  it('has a case for every fixture file', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(cases).sort());
  });
  for (const [file, check] of Object.entries(cases)) it(file, check);
});
