import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../src/domain/node.js';
import { isOutOfService } from '../../src/domain/node.js';
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

describe('heldByOther', () => {
  it('leaves an in-service node and our own drains to us', () => {
    expect(heldByOther(node({}))).toBeNull();
    expect(
      heldByOther(node({ flags: ['DRAIN'], drain: 'drained', reason: 'pitstop: HPCRDMA-0002-02 ev1' })),
    ).toBeNull();
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
    );
    expect(held).toBe(
      'gpu-1 was drained by alice at 2026-11-25T10:00:00 with reason "bad DIMM", not by Pitstop',
    );
  });

  it('treats a node out of service with no reason at all as not ours', () => {
    expect(heldByOther(node({ state: 'DOWN' }))).toBe(
      'gpu-1 is DOWN by someone with no reason, not by Pitstop',
    );
    expect(isOutOfService(node({ state: 'DOWN' }))).toBe(true);
  });
});
