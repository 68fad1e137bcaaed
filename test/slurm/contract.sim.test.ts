import { ManualClock } from '../../src/sim/clock.js';
import { SimSlurm } from '../../src/sim/slurm/index.js';
import { SlurmCluster } from '../../src/slurm/cluster.js';
import { type ClusterHarness, describeClusterContract } from '../support/slurm-contract.js';

const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'];

/** A fresh simulator per test; its clock jumps over every wait. */
function simHarness(): ClusterHarness {
  const clock = new ManualClock('2026-11-25T18:00:00Z', true);
  const sim = new SimSlurm({ clock, nodes: NODES.map((name) => ({ name })), slurmdTimeoutMs: 10_000 });
  return {
    cluster: new SlurmCluster(sim, clock, { initialMs: 200, maxMs: 1000 }),
    clock,
    nodes: NODES,
    gpusPerNode: 8,
    runSlurmJob: async (node, seconds) => sim.submit(node, { durationMs: seconds * 1000, gpus: 1 }),
    drainAsSomeoneElse: async (node, reason) => sim.drainAs('root', node, reason),
    stopSlurmd: async (node) => sim.stopSlurmd(node),
    startSlurmd: async (node) => sim.startSlurmd(node),
    reserve: async (name, nodes, startInS, minutes) =>
      sim.reserve(name, {
        nodes,
        startMs: clock.now().getTime() + startInS * 1000,
        durationMs: minutes * 60_000,
      }),
    pass: async (ms) => clock.advance(ms),
    reset: async () => {},
  };
}

describeClusterContract('simulator', simHarness);
