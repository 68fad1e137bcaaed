/** The parsers on forms the fixtures do not hold (other Slurm versions, odd reasons, bad input). */
import { describe, expect, it } from 'vitest';
import { gpusFromGres, gpusFromTres } from '../../src/slurm/parsers/gres.js';
import { parseNodeState } from '../../src/slurm/parsers/node-state.js';
import { parseScontrolNodes } from '../../src/slurm/parsers/scontrol-node.js';
import { parseSlurmTime } from '../../src/slurm/parsers/slurm-time.js';
import { parseSqueue } from '../../src/slurm/parsers/squeue.js';

const node = (fields: string) => parseScontrolNodes(`NodeName=gpu-7 Arch=x86_64 State=IDLE ${fields}`)[0]!;

describe('parseNodeState', () => {
  it.each([
    ['IDLE+DRAIN', 'IDLE', ['DRAIN'], 'drained', true],
    ['MIXED+DRAIN', 'MIXED', ['DRAIN'], 'draining', true],
    ['IDLE+COMPLETING+DRAIN', 'IDLE', ['COMPLETING', 'DRAIN'], 'draining', true],
    ['DOWN+DRAIN+NOT_RESPONDING', 'DOWN', ['DRAIN', 'NOT_RESPONDING'], 'drained', false],
    ['IDLE+CLOUD+POWERED_DOWN', 'IDLE', ['CLOUD', 'POWERED_DOWN'], 'none', true],
    ['drng', 'DRAINING', [], 'draining', true],
    ['drain*', 'DRAINED', ['NOT_RESPONDING'], 'drained', false],
    ['drng@', 'DRAINING', ['REBOOT_REQUESTED'], 'draining', true],
    ['idle~', 'IDLE', ['POWERED_DOWN'], 'none', true],
    ['mix-', 'MIXED', ['PLANNED'], 'none', true],
    ['alloc+', 'ALLOCATED', ['COMPLETING'], 'none', true],
    ['allocated+', 'ALLOCATED', ['COMPLETING'], 'none', true],
    ['idle#', 'IDLE', ['POWERING_UP'], 'none', true],
    ['down$', 'DOWN', ['MAINTENANCE'], 'none', true],
    ['boot^', 'BOOT', ['REBOOT_ISSUED'], 'none', true],
    ['futr', 'FUTURE', [], 'none', true],
  ])('%s', (text, state, flags, drain, responding) => {
    expect(parseNodeState(text)).toEqual({ state, flags, drain, responding });
  });

  it('rejects what is not a state', () => {
    for (const bad of ['', '*', 'idle; rm -rf /', '+DRAIN', '12']) {
      expect(() => parseNodeState(bad), bad).toThrow(/not a Slurm node state/);
    }
  });
});

describe('parseScontrolNodes', () => {
  it('keeps a reason with "=", brackets and spaces whole', () => {
    const status = node(
      'Reason=pitstop: event=abc [see ticket] x  [slurm@2026-11-25T18:01:08] Comment=(null)',
    );
    expect(status).toMatchObject({ reason: 'pitstop: event=abc [see ticket] x', reasonUser: 'slurm' });
    expect(status.reasonTime).toBe(parseSlurmTime('2026-11-25T18:01:08'));
  });

  it('counts GPUs from CfgTRES when Slurm accounts for them', () => {
    expect(node('Gres=gpu:h100:8(S:0-1) CfgTRES=cpu=128,gres/gpu=8,gres/gpu:h100=8').gpus).toBe(8);
    expect(node('Gres=gpu:h100:8 CfgTRES=cpu=2,mem=1000M').gpus).toBe(8);
    expect(node('Gres=(null) CfgTRES=cpu=2,mem=1000M').gpus).toBe(0);
  });

  it('reads "no value" words as absent', () => {
    const status = node('NodeAddr=(null) SlurmdStartTime=None BootTime=Unknown Partitions=');
    expect(status.address).toBeUndefined();
    expect(status.slurmdStartTime).toBeUndefined();
    expect(status.bootTime).toBeUndefined();
    expect(status.partitions).toEqual([]);
  });

  it('names the record it cannot read', () => {
    expect(() => parseScontrolNodes('NodeName=gpu-7 Arch=x86_64')).toThrow(/gpu-7.*not a Slurm node state/);
    expect(() => parseScontrolNodes('NodeName=gpu;7 State=IDLE')).toThrow(/NodeName=gpu;7/);
  });
});

describe('GPUs from Gres', () => {
  it.each([
    ['gpu:h100:8', 8, 'h100'],
    ['gpu:8(S:0-1)', 8, undefined],
    ['gpu:a100:4(S:0),gpu:a10:2(S:1)', 6, 'a100'],
    ['gpu:nvidia_h100_80gb_hbm3:4(S:0-1),shard:8', 4, 'nvidia_h100_80gb_hbm3'],
    ['gpu', 1, undefined],
    ['(null)', 0, undefined],
  ])('%s', (gres, count, type) => {
    expect(gpusFromGres(gres)).toEqual({ count, ...(type ? { type } : {}) });
  });

  it('prefers the untyped total in TRES', () => {
    expect(gpusFromTres('cpu=2,gres/gpu:h100=4,gres/gpu=4')).toBe(4);
    expect(gpusFromTres('cpu=2,mem=1000M')).toBeUndefined();
  });
});

describe('parseSqueue', () => {
  it('reads several Slurm jobs and array ids, and rejects another format', () => {
    const jobs = parseSqueue(
      '12_3|bob|sweep|RUNNING|1-02:03:04|2-00:00:00|N/A\n13|carol|x|COMPLETING|0:01|5:00|gres/gpu:2\n',
    );
    expect(jobs.map((job) => [job.id, job.elapsed, job.gres])).toEqual([
      ['12_3', '1-02:03:04', undefined],
      ['13', '0:01', 'gres/gpu:2'],
    ]);
    expect(() => parseSqueue('JOBID PARTITION NAME')).toThrow(/not in %i\|%u/);
  });
});

describe('parseSlurmTime', () => {
  it('reads local times and Slurm\'s "no time" words', () => {
    expect(parseSlurmTime('2026-11-25T18:00:52')).toBe(new Date(2026, 10, 25, 18, 0, 52).toISOString());
    for (const none of ['None', 'Unknown', 'N/A', '', undefined])
      expect(parseSlurmTime(none)).toBeUndefined();
  });
});
