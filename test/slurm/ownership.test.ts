import { describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/domain/job.js';
import type { NodeStatus } from '../../src/domain/node.js';
import { drainOwner, handReason, isOutOfService, jobReason } from '../../src/domain/node.js';
import { heldByOther } from '../../src/slurm/ownership.js';

const node = (over: Partial<NodeStatus>): NodeStatus => ({
  name: 'gpu-1',
  state: 'IDLE',
  flags: [],
  drain: 'none',
  responding: true,
  gpus: 8,
  partitions: ['gpu'],
  ...over,
});

const JOB = jobIdFor('ocid1.instancemaintenanceevent.oc1.iad.one');
const OTHER_JOB = jobIdFor('ocid1.instancemaintenanceevent.oc1.iad.two');

describe('drainOwner', () => {
  it('reads the job from a job reason, a hand hold from the bare prefix, and nothing else as Pitstop', () => {
    expect(drainOwner(`pitstop ${JOB}: HPCRDMA-0002-02 ev1`)).toBe(JOB);
    expect(drainOwner('pitstop: bad GPU')).toBe('hand');
    expect(drainOwner('bad DIMM')).toBeUndefined();
    expect(drainOwner('pitstopper: x')).toBeUndefined();
    expect(drainOwner('pitstop job-xyz: not a job id')).toBeUndefined();
    expect(drainOwner(undefined)).toBeUndefined();
  });

  it('writes a job reason within 400 characters, on one line, that reads back as the job', () => {
    const reason = jobReason(JOB, `health FAIL: ${'x'.repeat(500)}\nsecond line`);
    expect(reason).toHaveLength(400);
    expect(reason).toMatch(new RegExp(`^pitstop ${JOB}: health FAIL: x+…$`));
    expect(drainOwner(reason)).toBe(JOB);
  });

  it("makes an operator's text a hand hold, even when it imitates a job's reason", () => {
    expect(handReason('bad GPU')).toBe('pitstop: bad GPU');
    expect(handReason('pitstop: bad GPU')).toBe('pitstop: bad GPU');
    expect(drainOwner(handReason(`pitstop ${JOB}: mine now`))).toBe('hand');
  });
});

describe('heldByOther', () => {
  it("leaves an in-service node, and a node out with the owner's own reason, to that owner", () => {
    expect(heldByOther(node({}), JOB)).toBeNull();
    const ours = node({ flags: ['DRAIN'], drain: 'drained', reason: `pitstop ${JOB}: HPCRDMA-0002-02 ev1` });
    expect(heldByOther(ours, JOB)).toBeNull();
    expect(
      heldByOther(node({ flags: ['DRAIN'], drain: 'drained', reason: 'pitstop: bad GPU' }), 'hand'),
    ).toBeNull();
  });

  it("counts a hand hold and another job's drain or FAIL as held by someone else", () => {
    const hand = node({
      flags: ['DRAIN'],
      drain: 'drained',
      reason: 'pitstop: bad GPU',
      reasonUser: 'alice',
    });
    expect(heldByOther(hand, JOB)).toBe(
      `gpu-1 was drained by alice with reason "pitstop: bad GPU", an operator's hold through pitstop node drain`,
    );
    const failed = node({ state: 'DOWN', reason: `pitstop ${OTHER_JOB}: health FAIL: gpu-count` });
    expect(heldByOther(failed, JOB)).toMatch(
      new RegExp(`^gpu-1 is DOWN by someone .*held for job ${OTHER_JOB}$`),
    );
    expect(
      heldByOther(node({ flags: ['DRAIN'], drain: 'drained', reason: `pitstop ${JOB}: x` }), 'hand'),
    ).toMatch(/held for job/);
  });

  it('names whoever else holds the node out, with their reason', () => {
    const held = heldByOther(
      node({
        flags: ['DRAIN'],
        drain: 'drained',
        reason: 'bad DIMM',
        reasonUser: 'alice',
        reasonTime: '2026-11-25T10:00:00',
      }),
      JOB,
    );
    expect(held).toBe(
      'gpu-1 was drained by alice at 2026-11-25T10:00:00 with reason "bad DIMM", not by Pitstop',
    );
  });

  it('treats a node out of service with no reason at all as not ours', () => {
    expect(heldByOther(node({ state: 'DOWN' }), JOB)).toBe(
      'gpu-1 is DOWN by someone with no reason, not by Pitstop',
    );
    expect(isOutOfService(node({ state: 'DOWN' }))).toBe(true);
  });
});
