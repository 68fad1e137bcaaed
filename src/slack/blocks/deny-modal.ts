import type { types } from '@slack/bolt';
import { faultLabel } from '../../domain/event.js';
import type { MaintenanceJob } from '../../domain/job.js';
import { DENY_MODAL } from './ids.js';
import { LIMITS } from './limits.js';
import { plain, safe, section } from './text.js';

/** Long enough for a reason, short enough to show whole in the message it updates. */
const MAX_REASON = 1000;

/** The modal Deny opens (views.open): it asks why; `private_metadata` carries the job id. */
export function denyModal(job: MaintenanceJob): types.ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL.callbackId,
    private_metadata: job.id,
    title: plain('Deny maintenance', LIMITS.modalTitle),
    submit: plain('Deny', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    blocks: [
      section(
        `Deny event ${safe(job.eventId, 300)} (${safe(faultLabel(job.event), 200)}) on *${safe(job.node ?? 'an unmapped instance', 200)}*? ` +
          'Pitstop then leaves the node alone; OCI may still carry the maintenance out at its own window.',
      ),
      {
        type: 'input',
        block_id: DENY_MODAL.reasonBlockId,
        label: plain('Why?', LIMITS.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: DENY_MODAL.reasonActionId,
          multiline: true,
          max_length: MAX_REASON,
          placeholder: plain('e.g. training run until Friday', 150),
        },
      },
    ],
  };
}
