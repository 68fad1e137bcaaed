import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';

/**
 * Tags the event with how it ended (`<tag>: done:returned` or `done:kept_out`), so a later
 * discovery, or another Pitstop, sees it was handled. Setting a tag twice sends nothing the
 * second time. The store and the audit log are the orchestrator's, written with the transition.
 */
export const bookkeeping: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'bookkeeping',
    `The node is already ${job.triage === 'resumed' ? 'back' : 'kept out'}; only the event's tag is missing.`,
    async () => {
      const outcome = job.triage === 'resumed' ? 'returned' : 'kept_out';
      await context.ports.cloud.tagEvent(job.eventId, { [context.settings.tag]: `done:${outcome}` });
      return { type: 'recorded' };
    },
  );
