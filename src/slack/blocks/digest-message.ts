import { faultLabel } from '../../domain/event.js';
import type { MaintenanceJob } from '../../domain/job.js';
import { utc } from './format.js';
import { ACTION_IDS } from './ids.js';
import { LIMITS } from './limits.js';
import { header, message, packLines, plain, type SlackMessage, safe } from './text.js';

export interface Digest {
  /** What the Approve all button carries: the listener looks the jobs up by it (a list could overflow). */
  id: string;
  jobs: readonly MaintenanceJob[];
}

/** Header, intro and the actions block; the list gets every other block a message may have. */
const FIXED_BLOCKS = 3;

const jobLine = (job: MaintenanceJob) =>
  `• *${safe(job.node ?? 'unmapped instance', 200)}* — ${safe(faultLabel(job.event), 200)}, ` +
  `${safe(job.event.category, 100)}, window ${utc(job.event.timeWindowStart)}`;

/**
 * One message for a sweep that found many new events: the list, and an **Approve all** button
 * (confirmed) for the jobs of this digest; each event still has its own message to decide alone.
 */
export function digestMessage(digest: Digest): SlackMessage {
  const count = digest.jobs.length;
  const mapped = digest.jobs.filter((job) => job.node !== undefined).length;
  return message(
    `${count} new maintenance events: approve them all here, or one by one in their own messages.`,
    [
      header(`${count} new maintenance events`),
      ...packLines(
        digest.jobs.map(jobLine),
        LIMITS.blocksPerMessage - FIXED_BLOCKS,
        (left) => `… and ${left} more, each in its own message`,
      ),
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            'Each event also has its own message with Approve / Deny.' +
            (mapped < count
              ? ` ${count - mapped} are not mapped to a Slurm node yet and cannot be approved until they are.`
              : ''),
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.approveAll,
            text: plain('Approve all', LIMITS.buttonText),
            style: 'primary',
            value: digest.id,
            confirm: {
              title: plain(`Approve ${count} maintenance events?`, LIMITS.confirmTitle),
              text: plain(
                `Pitstop drains each node (its Slurm jobs finish first), as capacity limits allow, and returns it only if its GPU checks pass.`,
                LIMITS.confirmText,
              ),
              confirm: plain('Approve all', LIMITS.confirmButton),
              deny: plain('Cancel', LIMITS.confirmButton),
            },
          },
        ],
      },
    ],
  );
}
