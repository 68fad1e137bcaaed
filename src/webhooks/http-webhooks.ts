import type { Config } from '../config.js';
import { type MaintenanceJob, retryTokenFor, type TicketRef } from '../domain/job.js';
import type { Logger } from '../log.js';
import type { Clock, WebhookCallOptions, Webhooks } from '../ports.js';
import { bookkeepingPayload, ticketPayload, ticketRefOf } from './payloads.js';
import { originOf, postJson } from './post.js';

/** TICKET_WEBHOOK_URL, BOOKKEEPING_WEBHOOK_URL and WEBHOOK_TIMEOUT, as the Config reads them. */
export type WebhookSettings = Pick<
  Config['pipeline'],
  'ticketWebhookUrl' | 'bookkeepingWebhookUrl' | 'webhookTimeoutMs'
>;

export interface WebhookDeps {
  clock: Clock;
  log: Logger;
  /** From auth.test, with Slack: the ticket links to the event's thread. */
  slackWorkspaceUrl?: string;
}

/**
 * The Webhooks port over HTTP. Each call's Idempotency-Key is derived from the job and what the
 * call is for (`pitstop-ticket-…`, `pitstop-bookkeeping-…`), so a retry, or the same phase run
 * again after a restart, can never open a second ticket. Logs name the URL's origin only.
 */
export function httpWebhooks(settings: WebhookSettings, deps: WebhookDeps): Webhooks {
  const call = async (
    purpose: string,
    url: string,
    job: MaintenanceJob,
    payload: unknown,
    options: WebhookCallOptions,
  ) => {
    const where = {
      component: 'webhook',
      purpose,
      target: originOf(url),
      jobId: job.id,
      eventId: job.eventId,
      node: job.node,
    };
    try {
      const answer = await postJson(url, payload, {
        idempotencyKey: retryTokenFor(job, purpose),
        clock: deps.clock,
        deadline: new Date(deps.clock.now().getTime() + settings.webhookTimeoutMs),
        onRetry: (message) => {
          deps.log.info(where, `${purpose} webhook: ${message}`);
          options.onRetry?.(`${purpose} webhook: ${message}`);
        },
        signal: options.signal,
      });
      deps.log.info(
        { ...where, status: answer.status },
        `${purpose} webhook: ${where.target} took it (${answer.status})`,
      );
      return answer.body;
    } catch (error) {
      if (!options.signal?.aborted) {
        deps.log.warn(
          { ...where, err: error },
          `${purpose} webhook failed for good: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  };
  const { ticketWebhookUrl: ticketUrl, bookkeepingWebhookUrl: bookkeepingUrl } = settings;
  return {
    ...(ticketUrl && {
      openTicket: async (job: MaintenanceJob, options: WebhookCallOptions = {}): Promise<TicketRef> => {
        if (!job.node) throw new Error(`event ${job.eventId} has no Slurm node to open a ticket for`);
        const body = await call(
          'ticket',
          ticketUrl,
          job,
          ticketPayload({ ...job, node: job.node }, deps.slackWorkspaceUrl),
          options,
        );
        return ticketRefOf(body);
      },
    }),
    ...(bookkeepingUrl && {
      recordFinished: async (job: MaintenanceJob, options: WebhookCallOptions = {}) => {
        await call('bookkeeping', bookkeepingUrl, job, bookkeepingPayload(job), options);
      },
    }),
  };
}
