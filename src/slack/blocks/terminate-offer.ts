import type { types } from '@slack/bolt';
import type { MaintenanceJob } from '../../domain/job.js';
import { ACTION_IDS } from './ids.js';
import { LIMITS } from './limits.js';
import { message, plain, type SlackMessage, section } from './text.js';

/**
 * A thread reply (`text`, already mrkdwn) with **Terminate instance** under it: for the verdict
 * that kept a failed node out, when TRIAGE_TERMINATE allows it. One click is one person's
 * request; a second approver's click performs it.
 */
export function withTerminateOffer(job: MaintenanceJob, text: string): SlackMessage {
  const button: types.Button = {
    type: 'button',
    action_id: ACTION_IDS.terminate,
    text: plain('Terminate instance', LIMITS.buttonText),
    style: 'danger',
    value: job.id,
    confirm: {
      title: plain('Terminate this instance?', LIMITS.confirmTitle),
      text: plain(
        `Asks OCI to terminate instance ${job.event.instanceId} of ${job.node ?? 'the node'} (its boot volume is kept). ` +
          'It happens only once a second approver, not you, asks too, and only while the node is still out.',
        LIMITS.confirmText,
      ),
      confirm: plain('Ask to terminate', LIMITS.confirmButton),
      deny: plain('Cancel', LIMITS.confirmButton),
    },
  };
  return message(text, [section(text), { type: 'actions', elements: [button] }]);
}
