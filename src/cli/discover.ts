import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { faultLabel, type MaintenanceEvent } from '../domain/event.js';
import type { NodeMapping } from '../domain/mapping.js';
import type { NodeStatus } from '../domain/node.js';
import { createLogger } from '../log.js';
import { slurmClusterFromConfig } from '../slurm/from-config.js';
import { CliError } from './errors.js';
import { nodeMapperFromConfig, ociCloudFromConfig } from './wire.js';

interface DiscoveredEvent {
  event: MaintenanceEvent;
  node?: string;
  mappedVia?: string;
  /** Why the event's instance maps to no Slurm node: no, one-sided or conflicting evidence. */
  unmapped?: string;
  slurm?: Pick<NodeStatus, 'state' | 'flags' | 'drain' | 'gpus' | 'gpuType' | 'partitions' | 'reason'>;
}

const HEADER = ['EVENT', 'STATE', 'WINDOW START', 'FAULT', 'WINDOW', 'NODE', 'SLURM'].join('\t');

function describe(found: DiscoveredEvent[]): string {
  if (found.length === 0) return 'no maintenance events';
  const rows = found.map(({ event, node, slurm }) =>
    [
      event.id,
      event.state,
      event.timeWindowStart ?? '-',
      faultLabel(event),
      event.canReschedule ? 'reschedulable' : 'fixed window',
      node ?? '(no Slurm node)',
      slurm ? `${slurm.state}${slurm.drain === 'none' ? '' : `+${slurm.drain}`} ${slurm.gpus} GPUs` : '-',
    ].join('\t'),
  );
  return [HEADER, ...rows].join('\n');
}

function combine(events: MaintenanceEvent[], mapping: NodeMapping): DiscoveredEvent[] {
  const nodes = new Map((mapping.slurmNodes ?? []).map((n) => [n.name, n]));
  return events.map((event) => {
    const mapped = mapping.nodes.get(event.instanceId);
    const status = mapped && nodes.get(mapped.node);
    const unmapped = mapping.unmapped.get(event.instanceId);
    return {
      event,
      ...(mapped ? { node: mapped.node, mappedVia: mapped.via } : {}),
      ...(unmapped ? { unmapped } : {}),
      ...(status
        ? {
            slurm: {
              state: status.state,
              flags: status.flags,
              drain: status.drain,
              gpus: status.gpus,
              gpuType: status.gpuType,
              partitions: status.partitions,
              reason: status.reason,
            },
          }
        : {}),
    };
  });
}

async function discoverOnce(options: { once?: boolean; json?: boolean }): Promise<void> {
  if (!options.once) {
    throw new CliError(
      'discover runs one sweep: add --once (the recurring sweep is part of `pitstop serve`)',
      2,
    );
  }
  const config = loadConfig();
  const say = (message: string) => process.stderr.write(`pitstop: ${message}\n`);
  // stdout carries the result; the SDK's retry chatter goes to the structured log on stderr.
  const log = createLogger(config.logLevel, pino.destination(2));
  const cloud = await ociCloudFromConfig(config, log);
  const { events } = await cloud.discoverEvents({ onProgress: say });
  const mapper = nodeMapperFromConfig(config, cloud, slurmClusterFromConfig(config.slurm));
  const mapping = await mapper.map([...new Set(events.map((e) => e.instanceId))]);
  for (const problem of [...mapping.unavailable, ...mapping.problems]) say(`node mapping: ${problem}`);
  // Listed, never acted on: `serve` creates no approvable job for these.
  for (const [instanceId, why] of mapping.unmapped)
    say(`instance ${instanceId} maps to no Slurm node: ${why}`);
  const found = combine(events, mapping);
  process.stdout.write(`${options.json ? JSON.stringify(found, null, 2) : describe(found)}\n`);
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('sweep every compartment for scheduled maintenance events and map them to Slurm nodes')
    .option('--once', 'one sweep, then exit')
    .option('--json', 'print the events as JSON')
    .action(discoverOnce);
}
