import type { types } from '@slack/bolt';
import type { MaintenanceJob } from '../../domain/job.js';
import type { SlurmJob } from '../../domain/node.js';
import { utc } from './format.js';
import { ACTION_IDS } from './ids.js';
import { LIMITS } from './limits.js';
import { escapeMrkdwn, message, packLines, plain, type SlackMessage, safe, section } from './text.js';

/** Sections for the Slurm jobs still running: a full node's worth, the rest counted. */
const SLURM_JOB_BLOCKS = 4;

const slurmJobLine = (job: SlurmJob) =>
  `• \`${safe(job.id, 50)}\` ${safe(job.name, 200)} — owner *${safe(job.user, 100)}* (${safe(job.elapsed, 30)} of ${safe(job.timeLimit, 30)})`;

function confirm(title: string, text: string, button: string): types.ConfirmationDialog {
  return {
    title: plain(title, LIMITS.confirmTitle),
    text: plain(text, LIMITS.confirmText),
    confirm: plain(button, LIMITS.confirmButton),
    deny: plain('Cancel', LIMITS.confirmButton),
  };
}

function buttons(job: MaintenanceJob): types.ActionsBlock {
  const node = job.node ?? 'the node';
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.proceed,
        text: plain('Proceed now', LIMITS.buttonText),
        style: 'danger',
        value: job.id,
        confirm: confirm(
          'Proceed now?',
          `${node} stays drained and OCI is asked to maintain it now: its maintenance ends the Slurm jobs still running there.`,
          'Proceed',
        ),
      },
      {
        type: 'button',
        action_id: ACTION_IDS.leaveToOci,
        text: plain('Let OCI act at its time', LIMITS.buttonText),
        value: job.id,
      },
    ],
  };
}

/**
 * The thread message that says the hard due date is near while the drain still waits on Slurm
 * jobs: which ones and whose, what each choice does, and the two buttons. Posted once (the job
 * records the warning), so a restart never asks again.
 */
export function dueWarningMessage(job: MaintenanceJob): SlackMessage {
  const node = escapeMrkdwn(job.node ?? 'the node');
  const due = utc(job.event.timeHardDueDate);
  const running = job.dueWarning?.slurmJobs ?? [];
  const head =
    `⏰ *The hard due date is near:* OCI maintains ${node} on its own by ${due}, ` +
    `and the drain still waits on ${running.length === 1 ? '1 Slurm job' : `${running.length} Slurm jobs`}:`;
  const choices =
    '*Proceed now*: Pitstop stops waiting, the node stays drained (no new Slurm job lands) and OCI is asked to maintain it now; ' +
    "its maintenance ends the Slurm jobs above. Requeueing them (`scontrol requeue`) is their owners' call, not Pitstop's.\n" +
    "*Let OCI act at its time*: Pitstop stops waiting, leaves OCI's window as it is and follows the event from there.\n" +
    `With no decision by ${due}, the event is left to OCI.`;
  return message(
    `The hard due date of ${job.node ?? 'the node'} (${due}) is near and the drain still waits on Slurm jobs: proceed now, or let OCI act at its time.`,
    [
      section(head),
      ...packLines(running.map(slurmJobLine), SLURM_JOB_BLOCKS, (left) => `… and ${left} more Slurm jobs`),
      section(choices),
      buttons(job),
    ],
  );
}
