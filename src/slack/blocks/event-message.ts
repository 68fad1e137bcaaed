import type { types } from '@slack/bolt';
import { faultLabel } from '../../domain/event.js';
import type { MaintenanceJob } from '../../domain/job.js';
import type { NodeStatus, SlurmJob } from '../../domain/node.js';
import { decisionLine, slurmJobsSummary, utc } from './format.js';
import { ACTION_IDS } from './ids.js';
import { LIMITS } from './limits.js';
import { progressLine } from './progress.js';
import {
  context,
  cut,
  escapeMrkdwn,
  fieldsSection,
  header,
  message,
  packLines,
  plain,
  type SlackMessage,
  safe,
  section,
} from './text.js';

/**
 * What Pitstop read about the node when it announced the event; the job itself does not keep it.
 * Absent parts show as "not read", never as zero.
 */
export interface EventFacts {
  shape?: string;
  node?: Pick<NodeStatus, 'gpus' | 'gpuType' | 'partitions'>;
  /** The Slurm jobs running on the node now. */
  slurmJobs?: readonly SlurmJob[];
}

const NOT_READ = '_not read_';
const nodeName = (job: MaintenanceJob) => job.node ?? 'unmapped instance';

function factFields(job: MaintenanceJob, facts: EventFacts): [string, string][] {
  const { event } = job;
  const gpus = facts.node
    ? `${facts.node.gpus}${facts.node.gpuType ? ` × ${escapeMrkdwn(facts.node.gpuType)}` : ''}`
    : NOT_READ;
  const partitions = facts.node ? escapeMrkdwn(facts.node.partitions.join(', ') || 'none') : NOT_READ;
  const fields: [string, string][] = [
    ['Node', escapeMrkdwn(nodeName(job))],
    ['Shape', facts.shape ? escapeMrkdwn(facts.shape) : NOT_READ],
    ['Partitions', partitions],
    ['GPUs', gpus],
    ['Category', escapeMrkdwn(event.category)],
    ['Reason', escapeMrkdwn(event.reason)],
    ['Action', escapeMrkdwn(event.instanceAction)],
    ['State', escapeMrkdwn(event.state)],
    ['Window start', utc(event.timeWindowStart)],
    ['Hard due date', utc(event.timeHardDueDate)],
  ];
  return fields.map(([label, value]) => [label, cut(value, LIMITS.fieldText - label.length - 3)]);
}

/** Fault id, component and summary, one line a fault; OCI may attach many. */
function faultLines(job: MaintenanceJob): string[] {
  const { event } = job;
  const lines = event.faults.map(
    (fault) =>
      `*Fault ${safe(fault.faultId, 100)}*` +
      (fault.component ? ` · ${safe(fault.component, 200)}` : '') +
      (fault.summary ? ` — ${safe(fault.summary, 1000)}` : ''),
  );
  if (event.unreadableFaultDetails) {
    lines.push(`*Fault details OCI sent, unreadable:* ${safe(event.unreadableFaultDetails, 1000)}`);
  }
  return lines.length > 0 ? lines : ['*No fault details* from OCI'];
}

/** Sections for the faults: enough for a few long ones, the rest counted. */
const FAULT_BLOCKS = 3;

function approveConfirm(job: MaintenanceJob, facts: EventFacts): types.ConfirmationDialog {
  const count = facts.slurmJobs?.length;
  const running =
    count === undefined
      ? 'running Slurm jobs finish first'
      : count === 0
        ? 'no Slurm jobs run there now'
        : `its ${count === 1 ? 'Slurm job finishes' : `${count} Slurm jobs finish`} first`;
  return {
    title: plain('Approve this maintenance?', LIMITS.confirmTitle),
    text: plain(
      `Pitstop drains ${nodeName(job)} (${running}), asks OCI to start the maintenance, ` +
        'checks the GPUs and returns the node only if every check passes.',
      LIMITS.confirmText,
    ),
    confirm: plain('Approve', LIMITS.confirmButton),
    deny: plain('Cancel', LIMITS.confirmButton),
  };
}

function decisionBlocks(job: MaintenanceJob, facts: EventFacts): types.KnownBlock[] {
  const approve: types.Button = {
    type: 'button',
    action_id: ACTION_IDS.approve,
    text: plain('Approve', LIMITS.buttonText),
    style: 'primary',
    value: job.id,
    confirm: approveConfirm(job, facts),
  };
  const deny: types.Button = {
    type: 'button',
    action_id: ACTION_IDS.deny,
    text: plain('Deny', LIMITS.buttonText),
    style: 'danger',
    value: job.id,
  };
  if (!job.node) {
    // The domain refuses to approve a job without a node; offering the button would only fail.
    return [
      section(
        'This event is not mapped to a Slurm node yet, so it cannot be approved: check the node mapping.',
      ),
      { type: 'actions', elements: [deny] },
    ];
  }
  return [{ type: 'actions', elements: [approve, deny] }];
}

function outcomeLine(job: MaintenanceJob): string | undefined {
  const reason = job.reason ? safe(job.reason, LIMITS.sectionText - 100) : '';
  switch (job.outcome) {
    case 'returned':
      return `✅ *Back in service:* ${reason}`;
    case 'kept_out':
      return `❌ *Kept out of service:* ${reason}`;
    case 'canceled':
      return `*Canceled:* ${reason}`;
    case 'failed':
      return `⚠️ *Stopped, a human is needed:* ${reason}`;
    default:
      return undefined;
  }
}

function statusBlocks(job: MaintenanceJob): types.KnownBlock[] {
  const progress = progressLine(job);
  return [
    ...[decisionLine(job), outcomeLine(job)].filter((line) => line !== undefined).map(section),
    ...(progress ? [context([progress])] : []),
  ];
}

function fallback(job: MaintenanceJob): string {
  const about = `Maintenance event ${job.eventId} on node ${nodeName(job)}: ${faultLabel(job.event)}`;
  if (job.phase === 'awaiting_approval') {
    return `${about}, window starts ${utc(job.event.timeWindowStart)}. Approve or Deny it here.`;
  }
  return [about, decisionLine(job), outcomeLine(job), progressLine(job)].filter(Boolean).join('. ');
}

/**
 * The event's message: what it is, where, what runs there, and either the Approve / Deny buttons
 * (while it awaits a decision) or who decided, the phase progress and the outcome. The same
 * builder serves the announcement and every update in place.
 */
export function eventMessage(job: MaintenanceJob, facts: EventFacts = {}): SlackMessage {
  const slurmJobs = facts.slurmJobs ? slurmJobsSummary(facts.slurmJobs) : NOT_READ;
  return message(fallback(job), [
    header(`Maintenance: ${nodeName(job)} — ${faultLabel(job.event)}`),
    fieldsSection(factFields(job, facts)),
    section(`*Slurm jobs now:* ${slurmJobs}`),
    section(
      `*Description:* ${job.event.description ? escapeMrkdwn(job.event.description) : '_none from OCI_'}`,
    ),
    ...packLines(faultLines(job), FAULT_BLOCKS, (left) => `… and ${left} more faults`),
    context([
      `event ${escapeMrkdwn(job.eventId)}`,
      `instance ${escapeMrkdwn(job.event.instanceId)}`,
      `job ${escapeMrkdwn(job.id)}`,
    ]),
    ...(job.phase === 'awaiting_approval' ? decisionBlocks(job, facts) : statusBlocks(job)),
  ]);
}
