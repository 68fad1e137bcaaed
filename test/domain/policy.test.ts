import { describe, expect, it } from 'vitest';
import type { Phase } from '../../src/domain/job.js';
import { NodeStatus } from '../../src/domain/node.js';
import { autoApproves, Capacity, type CapacityQuestion, mayTakeOut } from '../../src/domain/policy.js';

/** A node as `scontrol show node` reads it: in service unless told otherwise. */
function node(name: string, partitions: string[], out?: { state?: string; drain?: 'draining' | 'drained' }) {
  return NodeStatus.parse({
    name,
    state: out?.state ?? 'IDLE',
    flags: out?.drain ? ['DRAIN'] : [],
    drain: out?.drain ?? 'none',
    responding: true,
    ...(out ? { reason: 'bad cable', reasonUser: 'root' } : {}),
    gpus: 8,
    partitions,
  });
}

/** `size` nodes gpu-1 … gpu-N in partition `gpu`. */
const partition = (size: number, name = 'gpu') =>
  Array.from({ length: size }, (_, i) => node(`${name}-${i + 1}`, [name]));

function ask(overrides: Partial<CapacityQuestion>): ReturnType<typeof mayTakeOut> {
  return mayTakeOut({
    node: 'gpu-1',
    nodes: partition(20),
    jobsInProgress: [],
    maxNodesOut: 4,
    maxPartitionOutPercent: 10,
    ...overrides,
  });
}

const working = (nodeName: string, phase: Phase = 'maintenance') => ({ node: nodeName, phase });

describe('capacity: may this node be taken out now?', () => {
  it('allows the first node of a large partition', () => {
    expect(ask({})).toEqual({ allowed: true, notes: [] });
  });

  it('counts nodes Pitstop works on and stops at the partition share, naming partition and numbers', () => {
    // 10% of 20 nodes is 2: one node in maintenance and one drained by hand fill it.
    const nodes = partition(20);
    nodes[4] = node('gpu-5', ['gpu'], { drain: 'drained' });
    const answer = ask({ nodes, jobsInProgress: [working('gpu-3')] });
    expect(answer).toEqual({
      allowed: false,
      reason:
        'partition gpu: 2 of its 20 nodes are out (gpu-3, gpu-5), and MAX_PARTITION_OUT_PERCENT=10 allows 2 at once: gpu-1 waits until one is back',
    });
    expect(ask({ nodes, jobsInProgress: [] }).allowed).toBe(true);
  });

  it('counts a node down for any reason, and a node out and worked on only once', () => {
    const nodes = partition(20);
    nodes[1] = node('gpu-2', ['gpu'], { state: 'DOWN' });
    expect(ask({ nodes, jobsInProgress: [working('gpu-2', 'health')] }).allowed).toBe(true);
    nodes[2] = node('gpu-3', ['gpu'], { drain: 'draining' });
    expect(ask({ nodes }).allowed).toBe(false);
  });

  it('ignores jobs that are not being worked on (awaiting approval, done)', () => {
    const jobs = [
      working('gpu-2', 'awaiting_approval'),
      working('gpu-3', 'done'),
      working('gpu-4', 'draining'),
    ];
    expect(ask({ jobsInProgress: jobs }).allowed).toBe(true);
    expect(ask({ jobsInProgress: [...jobs, working('gpu-5', 'bookkeeping')] }).allowed).toBe(false);
  });

  it('stops at MAX_NODES_OUT cluster-wide, across partitions', () => {
    const nodes = [...partition(50, 'a'), ...partition(50, 'b'), node('gpu-1', ['c', 'd'])];
    const jobs = ['a-1', 'a-2', 'b-1', 'b-2'].map((n) => working(n));
    expect(ask({ nodes, jobsInProgress: jobs.slice(0, 3), maxPartitionOutPercent: 50 }).allowed).toBe(true);
    expect(ask({ nodes, jobsInProgress: jobs, maxPartitionOutPercent: 50 })).toEqual({
      allowed: false,
      reason:
        '4 nodes are out of service cluster-wide (a-1, a-2, b-1, b-2) and MAX_NODES_OUT=4: gpu-1 waits until one is back',
    });
  });

  it('checks every partition of the node: the strictest one decides', () => {
    const nodes = [...partition(100, 'big'), ...partition(10, 'small')];
    nodes.push(node('gpu-1', ['big', 'small']));
    const answer = ask({ nodes, jobsInProgress: [working('small-1')], maxNodesOut: 10 });
    expect(answer).toMatchObject({ allowed: false });
    expect(answer.allowed === false && answer.reason).toMatch(/^partition small: 1 of its 11 nodes/);
  });

  it('lets a partition too small for the percentage have one node out, and says so', () => {
    const nodes = partition(5);
    expect(ask({ nodes })).toEqual({
      allowed: true,
      notes: ['partition gpu: 10% of 5 nodes is less than one node; Pitstop takes one out at a time'],
    });
    expect(ask({ nodes, jobsInProgress: [working('gpu-2')] }).allowed).toBe(false);
  });

  it('lets the only node of a partition go, saying the partition has none left in service', () => {
    const nodes = [...partition(20), node('solo-1', ['debug'])];
    expect(ask({ node: 'solo-1', nodes })).toEqual({
      allowed: true,
      notes: ['partition debug has only solo-1: it has no node in service while Pitstop works'],
    });
  });

  it('always allows a node that is already out: it lowers capacity no further', () => {
    const nodes = partition(20);
    nodes[0] = node('gpu-1', ['gpu'], { drain: 'drained' });
    nodes[1] = node('gpu-2', ['gpu'], { drain: 'drained' });
    const answer = ask({ nodes, jobsInProgress: [working('gpu-3')], maxNodesOut: 1 });
    expect(answer).toEqual({
      allowed: true,
      notes: ['gpu-1 is already out of service: taking it does not lower capacity'],
    });
  });

  it('does not let a second job through because the node is out while another job works it', () => {
    const nodes = partition(20);
    nodes[0] = node('gpu-1', ['gpu'], { drain: 'drained' });
    expect(ask({ nodes, jobsInProgress: [working('gpu-1')], maxNodesOut: 4 })).toEqual({
      allowed: false,
      reason: 'gpu-1 is being worked by another job: it waits until that job ends',
    });
  });

  it('refuses a node the cluster does not list', () => {
    expect(ask({ node: 'gpu-99' })).toEqual({
      allowed: false,
      reason: "gpu-99 is not in the cluster's node list: check the node mapping",
    });
  });

  it('allows everything at 100% and MAX_NODES_OUT large enough', () => {
    const jobs = Array.from({ length: 19 }, (_, i) => working(`gpu-${i + 2}`));
    expect(ask({ jobsInProgress: jobs, maxPartitionOutPercent: 100, maxNodesOut: 20 }).allowed).toBe(true);
    expect(ask({ jobsInProgress: jobs, maxPartitionOutPercent: 100, maxNodesOut: 19 }).allowed).toBe(false);
  });
});

describe('capacity: many nodes against one read of the node list', () => {
  /** Asks for `name`, expects yes, and starts on it. */
  const admit = (capacity: Capacity, name: string) => {
    expect(capacity.mayTakeOut(name)).toEqual({ allowed: true, notes: [] });
    capacity.take(name);
  };

  it('counts each node taken for the questions after it, cluster-wide', () => {
    const capacity = new Capacity({
      nodes: partition(20),
      jobsInProgress: [working('gpu-3')],
      maxNodesOut: 3,
      maxPartitionOutPercent: 100,
    });
    admit(capacity, 'gpu-1');
    expect(capacity.mayTakeOut('gpu-1')).toEqual({
      allowed: false,
      reason: 'gpu-1 is being worked by another job: it waits until that job ends',
    });
    admit(capacity, 'gpu-2');
    expect(capacity.mayTakeOut('gpu-4')).toEqual({
      allowed: false,
      reason:
        '3 nodes are out of service cluster-wide (gpu-1, gpu-2, gpu-3) and MAX_NODES_OUT=3: gpu-4 waits until one is back',
    });
  });

  it('counts each node taken against its partitions, and a node already out only once', () => {
    const nodes = [...partition(10), ...partition(10, 'other')];
    nodes[0] = node('gpu-1', ['gpu'], { drain: 'drained' });
    const capacity = new Capacity({ nodes, jobsInProgress: [], maxNodesOut: 10, maxPartitionOutPercent: 20 });
    capacity.take('gpu-1');
    admit(capacity, 'gpu-2');
    expect(capacity.mayTakeOut('gpu-3')).toEqual({
      allowed: false,
      reason:
        'partition gpu: 2 of its 10 nodes are out (gpu-1, gpu-2), and MAX_PARTITION_OUT_PERCENT=20 allows 2 at once: gpu-3 waits until one is back',
    });
    expect(capacity.mayTakeOut('other-1').allowed).toBe(true);
  });
});

describe('auto-approve', () => {
  it('approves only the listed maintenance reasons', () => {
    expect(autoApproves(['FIRMWARE_UPDATE'], { reason: 'FIRMWARE_UPDATE' })).toBe(true);
    expect(autoApproves(['FIRMWARE_UPDATE'], { reason: 'HARDWARE_REPLACEMENT' })).toBe(false);
    expect(autoApproves(['FIRMWARE_UPDATE', 'SECURITY_UPDATE'], { reason: 'SECURITY_UPDATE' })).toBe(true);
  });

  it('approves nothing when the list is empty (the default)', () => {
    expect(autoApproves([], { reason: 'FIRMWARE_UPDATE' })).toBe(false);
  });

  it('approves every reason with ALL, also one newer than Pitstop', () => {
    expect(autoApproves(['ALL'], { reason: 'EVACUATION' })).toBe(true);
    expect(autoApproves(['ALL'], { reason: 'SOMETHING_NEW' })).toBe(true);
  });

  it('matches reasons exactly, not by prefix or case', () => {
    expect(autoApproves(['FIRMWARE'], { reason: 'FIRMWARE_UPDATE' })).toBe(false);
    expect(autoApproves(['FIRMWARE_UPDATE'], { reason: 'firmware_update' })).toBe(false);
  });
});
