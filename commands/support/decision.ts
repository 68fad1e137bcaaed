import type { MaintenanceJob } from '../../src/domain/job.js';
import { decisionLine } from '../../src/slack/blocks/format.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';
import { type CommandAnswer, inChannel } from './subcommand.js';

/** A decision changes something, so the channel sees it: who, which event, which node. */
export function decisionAnswer(job: MaintenanceJob): CommandAnswer {
  const what = `event \`${job.eventId}\` on *${escapeMrkdwn(job.node ?? 'an unmapped instance')}*`;
  return inChannel(`${decisionLine(job) ?? 'Decided'} — ${what}`);
}
