import type { types } from '@slack/bolt';
import { type MaintenanceJob, Phase } from '../../domain/job.js';
import { drainOwner, type NodeStatus, ownerLabel } from '../../domain/node.js';
import { jobLine, utc, who } from './format.js';
import { context, header, packLines, safe, section } from './text.js';

/** What the Home tab shows, read by the caller at one moment (the builder does no I/O). */
export interface HomeSnapshot {
  /** When the snapshot was read (ISO). */
  at: string;
  /** The active jobs. */
  jobs: readonly MaintenanceJob[];
  /** The nodes out of service now, for any reason. */
  nodesOut: readonly NodeStatus[];
  /** The last finished jobs, newest first. */
  recent: readonly MaintenanceJob[];
  /** Set while new jobs are not started (running ones finish). */
  paused?: { by: string; reason: string; at: string };
}

/** Block budgets per part, so the whole stays under a view's 100 blocks whatever the numbers. */
const BLOCKS_PER_PHASE = 4;
const BLOCKS_FOR_NODES = 20;
const BLOCKS_FOR_RECENT = 15;
const RECENT_SHOWN = 20;

const more = (what: string) => (left: number) => `… and ${left} more ${what}`;

function holder(node: NodeStatus): string {
  const owner = drainOwner(node.reason);
  const user = node.reasonUser ? safe(node.reasonUser, 100) : 'unknown';
  if (owner === undefined) return user;
  return owner === 'hand' ? `${user}, a ${ownerLabel(node.reason)}` : `Pitstop (${owner})`;
}

const nodeLine = (node: NodeStatus) =>
  `• *${safe(node.name, 200)}* ${safe([node.state, ...node.flags].join('+'), 100)}, held by ${holder(node)}` +
  (node.reason ? `: ${safe(node.reason, 300)}` : '') +
  (node.reasonTime ? ` (since ${safe(node.reasonTime, 40)})` : '');

const outcomeLine = (job: MaintenanceJob) =>
  `• *${safe(job.node ?? 'unmapped', 200)}* ${safe(job.outcome ?? 'done', 20)} at ${utc(job.updatedAt)}` +
  (job.reason ? ` — ${safe(job.reason, 300)}` : '');

function jobsByPhase(jobs: readonly MaintenanceJob[]): types.KnownBlock[] {
  const active = Phase.options.filter((phase) => phase !== 'done');
  const blocks = active.flatMap((phase) => {
    const inPhase = jobs.filter((job) => job.phase === phase);
    if (inPhase.length === 0) return [];
    return [
      section(`*${phase.replace('_', ' ')}* (${inPhase.length})`),
      ...packLines(inPhase.map(jobLine), BLOCKS_PER_PHASE - 1, more('jobs')),
    ];
  });
  return blocks.length > 0 ? blocks : [section('No active jobs.')];
}

const listOr = (lines: string[], maxBlocks: number, what: string, none: string) =>
  lines.length > 0 ? packLines(lines, maxBlocks, more(what)) : [section(none)];

/** The Home tab (views.publish): jobs by phase, nodes out and who holds them, outcomes, paused or not. */
export function appHomeView(snapshot: HomeSnapshot): types.HomeView {
  const { paused } = snapshot;
  return {
    type: 'home',
    blocks: [
      header('Pitstop'),
      section(
        paused
          ? `⏸️ *Paused* by ${who({ by: paused.by, via: 'slack' })} at ${utc(paused.at)}: ${safe(paused.reason, 1000)}. Running jobs finish; no new job starts.`
          : '▶️ *Running*: approved jobs start as capacity allows.',
      ),
      context([`Updated ${utc(snapshot.at)}`]),
      { type: 'divider' },
      header(`Jobs (${snapshot.jobs.length})`),
      ...jobsByPhase(snapshot.jobs),
      { type: 'divider' },
      header(`Nodes out of service (${snapshot.nodesOut.length})`),
      ...listOr(snapshot.nodesOut.map(nodeLine), BLOCKS_FOR_NODES, 'nodes', 'Every node is in service.'),
      { type: 'divider' },
      header('Last outcomes'),
      ...listOr(
        snapshot.recent.slice(0, RECENT_SHOWN).map(outcomeLine),
        BLOCKS_FOR_RECENT,
        'outcomes',
        'No job has finished yet.',
      ),
    ],
  };
}
