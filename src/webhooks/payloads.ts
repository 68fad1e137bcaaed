import { z } from 'zod';
import { FaultDetail } from '../domain/event.js';
import {
  ApprovalSource,
  type MaintenanceJob,
  Outcome,
  Phase,
  SlackRef,
  TicketRecord,
  type TicketRef,
} from '../domain/job.js';
import { phaseSpans } from '../domain/timeline.js';
import { RecommendedAction, VerdictStatus } from '../domain/verdict.js';

/** The event as both webhooks send it. */
const EventFacts = z.object({
  id: z.string(),
  instanceId: z.string(),
  reason: z.string(),
  category: z.string(),
  instanceAction: z.string(),
  faults: z.array(FaultDetail),
  /** OCI's state of the maintenance as last read (FAILED: nothing checked the node after). */
  maintenanceState: z.string().optional(),
  timeWindowStart: z.string().optional(),
  timeHardDueDate: z.string().optional(),
});

/** TICKET_WEBHOOK_URL's body: everything a person opening the ticket would need. */
export const TicketPayload = z.object({
  kind: z.literal('pitstop.ticket'),
  jobId: z.string(),
  node: z.string(),
  instanceId: z.string(),
  event: EventFacts,
  /** Absent when OCI's maintenance FAILED and no check ran. */
  verdict: z
    .object({
      status: VerdictStatus,
      reasons: z.array(z.string()),
      warnings: z.array(z.string()),
      recommendedAction: RecommendedAction,
    })
    .optional(),
  /** How the node is kept out, in words (triage's reason). */
  keptOut: z.string(),
  /** The event's Slack thread: its channel, the ts of the event message, and a link to it when the workspace is known. */
  thread: SlackRef.extend({ permalink: z.url().optional() }).optional(),
});
export type TicketPayload = z.infer<typeof TicketPayload>;

/** BOOKKEEPING_WEBHOOK_URL's body: the finished job's record, as the audit log's `finished` record has it. */
export const BookkeepingPayload = z.object({
  kind: z.literal('pitstop.finished'),
  jobId: z.string(),
  eventId: z.string(),
  node: z.string().optional(),
  at: z.string(),
  outcome: Outcome,
  approval: z
    .object({ by: z.string(), via: ApprovalSource, at: z.string(), decision: z.enum(['approved', 'denied']) })
    .optional(),
  event: EventFacts,
  phases: z.array(z.object({ phase: Phase, start: z.string(), end: z.string().optional() })),
  verdictStatus: VerdictStatus.optional(),
  reason: z.string().optional(),
  ticket: TicketRecord.optional(),
});
export type BookkeepingPayload = z.infer<typeof BookkeepingPayload>;

function eventFacts(job: MaintenanceJob): z.infer<typeof EventFacts> {
  const { event } = job;
  return {
    id: event.id,
    instanceId: event.instanceId,
    reason: event.reason,
    category: event.category,
    instanceAction: event.instanceAction,
    faults: event.faults,
    maintenanceState: job.maintenanceState,
    timeWindowStart: event.timeWindowStart,
    timeHardDueDate: event.timeHardDueDate,
  };
}

/**
 * Slack's message link (`<workspace>/archives/<channel>/p<ts without the dot>`), built from
 * auth.test's workspace URL: no chat.getPermalink call per ticket.
 */
function messageLink(workspaceUrl: string, message: SlackRef): string {
  return new URL(`archives/${message.channel}/p${message.ts.replace('.', '')}`, workspaceUrl).href;
}

export function ticketPayload(
  job: MaintenanceJob & { node: string },
  slackWorkspaceUrl?: string,
): TicketPayload {
  return {
    kind: 'pitstop.ticket',
    jobId: job.id,
    node: job.node,
    instanceId: job.event.instanceId,
    event: eventFacts(job),
    verdict: job.verdict && {
      status: job.verdict.status,
      reasons: job.verdict.reasons,
      warnings: job.verdict.warnings,
      recommendedAction: job.verdict.action,
    },
    keptOut: job.reason ?? '',
    thread: job.slack && {
      ...job.slack,
      ...(slackWorkspaceUrl ? { permalink: messageLink(slackWorkspaceUrl, job.slack) } : {}),
    },
  };
}

/** `job` is done (bookkeeping's `recorded` applied), so it carries its outcome and every phase's end. */
export function bookkeepingPayload(job: MaintenanceJob): BookkeepingPayload {
  // Parsed: a job that is not done (no outcome) is a bug here, not a record to send.
  return BookkeepingPayload.parse({
    kind: 'pitstop.finished',
    jobId: job.id,
    eventId: job.eventId,
    node: job.node,
    at: job.updatedAt,
    outcome: job.outcome,
    approval: job.approval,
    event: eventFacts(job),
    phases: phaseSpans(job.createdAt, job.history),
    verdictStatus: job.verdict?.status,
    reason: job.reason,
    ticket: job.ticket,
  });
}

const text = z.union([z.string().min(1), z.number()]).transform(String);

/**
 * What a ticket system answers, read loosely: the id from `key` (Jira's PROJ-123), `number`
 * (GitHub, ServiceNow) or `id`, in that order; the URL for people from `html_url` (GitHub),
 * `web_url` (GitLab) or `url`. Either may sit at the top level or under `result` (ServiceNow) or
 * `ticket`. Nothing readable: an empty ref (the ticket was opened, its name is not known).
 */
const Answer = z.looseObject({
  key: text.optional().catch(undefined),
  number: text.optional().catch(undefined),
  id: text.optional().catch(undefined),
  html_url: z.url().optional().catch(undefined),
  web_url: z.url().optional().catch(undefined),
  url: z.url().optional().catch(undefined),
});

export function ticketRefOf(body: unknown): TicketRef {
  for (const candidate of [body, nested(body, 'result'), nested(body, 'ticket')]) {
    const parsed = Answer.safeParse(candidate);
    if (!parsed.success) continue;
    const { key, number, id, html_url, web_url, url } = parsed.data;
    const ref = { id: key ?? number ?? id, url: html_url ?? web_url ?? url };
    if (ref.id !== undefined || ref.url !== undefined) {
      return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined));
    }
  }
  return {};
}

const nested = (body: unknown, field: string) =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
