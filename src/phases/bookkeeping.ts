import { type MaintenanceJob, type TicketRecord, transition } from '../domain/job.js';
import { failedItsChecks } from '../domain/ticket.js';
import type { PhaseContext, PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

/**
 * TICKET_WEBHOOK_URL's answer, or why there is none. A webhook that failed for good opens no
 * ticket but stops nothing: the node is out already, and the thread says so.
 */
async function openTicket(job: MaintenanceJob, context: PhaseContext): Promise<TicketRecord> {
  try {
    const ref = await context.ports.webhooks!.openTicket!(job, {
      onRetry: threadReporter(job, context),
      signal: context.signal,
    });
    return { opened: true, ...ref };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return { opened: false, error: (error as Error).message };
  }
}

/** BOOKKEEPING_WEBHOOK_URL: the record as the job will finish; one that fails for good is said, not fatal. */
async function sendRecord(job: MaintenanceJob, context: PhaseContext): Promise<void> {
  const { webhooks, clock } = context.ports;
  const say = threadReporter(job, context);
  try {
    await webhooks!.recordFinished!(transition(job, { type: 'recorded' }, clock.now()), {
      onRetry: say,
      signal: context.signal,
    });
  } catch (error) {
    if (context.signal?.aborted) throw error;
    say(
      `bookkeeping webhook: the job's record was not taken (${(error as Error).message}); the audit log has it`,
    );
  }
}

/**
 * A node kept out after failing gets its ticket first (TICKET_WEBHOOK_URL), recorded in the job
 * by its own step, so a restart sends it again only when the job has none yet, and with the same
 * idempotency key. Then the event is tagged with how it ended (`<tag>: done:returned` or
 * `done:kept_out`), so a later discovery, or another Pitstop, sees it was handled (setting a tag
 * twice sends nothing the second time), and the record goes to BOOKKEEPING_WEBHOOK_URL. The store
 * and the audit log are the orchestrator's, written with the transition.
 */
export const bookkeeping: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'bookkeeping',
    `The node is already ${job.triage === 'resumed' ? 'back' : 'kept out'}; only the event's tag is missing.`,
    async () => {
      const { webhooks, cloud } = context.ports;
      if (webhooks?.openTicket && !job.ticket && failedItsChecks(job)) {
        return { type: 'ticket', ticket: await openTicket(job, context) };
      }
      const outcome = job.triage === 'resumed' ? 'returned' : 'kept_out';
      await cloud.tagEvent(job.eventId, { [context.settings.tag]: `done:${outcome}` });
      if (webhooks?.recordFinished) await sendRecord(job, context);
      return { type: 'recorded' };
    },
  );
