import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { IllegalTransitionError, type MaintenanceJob } from '../../domain/job.js';
import { JobRefError } from '../../orchestrator/resolve-ref.js';
import { finishedJobs } from '../../store/audit-reader.js';
import { decisionLine } from '../blocks/format.js';
import { escapeMrkdwn } from '../blocks/text.js';
import type { ListenerDeps } from './deps.js';

/** Payload values are checked before use: a button's value is a job id as `jobIdFor` makes it. */
export const JobId = z.string().regex(/^job-[0-9a-f]{16}$/, 'not a Pitstop job id');
export const UserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'not a Slack user id');
export const ChannelId = z.string().regex(/^[CGD][A-Z0-9]+$/, 'not a Slack channel id');

export type DecisionName = 'approve' | 'deny' | 'approve all' | 'proceed now' | 'leave to OCI' | 'terminate';

/** `event ocid1… on *gpu-1*`, for answers to the person who clicked. */
export const eventOn = (job: Pick<MaintenanceJob, 'eventId' | 'node'>) =>
  `event \`${escapeMrkdwn(job.eventId)}\` on *${escapeMrkdwn(job.node ?? 'an unmapped instance')}*`;

/** A job that left the live state (decided and done): its last record in the audit log. */
export async function finishedJob(deps: ListenerDeps, jobId: string): Promise<MaintenanceJob | undefined> {
  return (await finishedJobs(deps.store.auditFile, (job) => job.id === jobId)).at(-1);
}

/** The job refused the decision (decided already, moved on, gone): not a failure of Pitstop. */
export const isRefusedDecision = (error: unknown) =>
  error instanceof IllegalTransitionError || error instanceof JobRefError;

/**
 * What to tell someone whose decision the job cannot take: someone decided first (a double
 * click, two approvers at once, a retried delivery), or the job moved on or finished.
 */
async function whyNotDecidable(deps: ListenerDeps, jobId: string): Promise<string> {
  const job = deps.store.get(jobId) ?? (await finishedJob(deps, jobId));
  if (!job) return 'Nothing done: Pitstop has no job for this message any more.';
  const decided = decisionLine(job);
  if (decided) return `Nothing done: ${eventOn(job)} was already decided. ${decided}.`;
  const where =
    job.phase === 'done' ? `finished (${job.outcome ?? 'done'})` : `in ${job.phase.replace('_', ' ')}`;
  return `Nothing done: ${eventOn(job)} is ${where}${job.reason ? `: ${escapeMrkdwn(job.reason)}` : ''}.`;
}

/**
 * At most one "cannot be decided" answer a minute per person and job: a frantic clicker reads it
 * once, and a burst of clicks cannot spend chat.postEphemeral's rate limit (which the refusals of
 * non-approvers need). One per running app.
 */
export class NotDecidableAnswers {
  private readonly told = new Map<string, number>();

  constructor(private readonly againAfterMs = 60_000) {}

  /** True (and remembered) when `user` may be told about `jobId` now. */
  due(user: string, jobId: string, now = Date.now()): boolean {
    const key = `${user} ${jobId}`;
    if (now - (this.told.get(key) ?? Number.NEGATIVE_INFINITY) < this.againAfterMs) return false;
    this.told.set(key, now);
    if (this.told.size > 10_000) {
      for (const [told, at] of this.told) if (now - at >= this.againAfterMs) this.told.delete(told);
    }
    return true;
  }
}

/** Tells `to.user` why the job cannot take their decision (see NotDecidableAnswers). */
export async function tellNotDecidable(
  deps: ListenerDeps,
  client: WebClient,
  to: { channel: string | undefined; user: string },
  jobId: string,
): Promise<void> {
  if (!deps.notDecidable.due(to.user, jobId)) return;
  await tell(deps, client, to, await whyNotDecidable(deps, jobId));
}

/** An ephemeral answer; a failure to send it is logged, never thrown at Bolt. */
export async function tell(
  deps: ListenerDeps,
  client: WebClient,
  to: { channel: string | undefined; user: string },
  text: string,
): Promise<void> {
  const channel = to.channel ?? deps.channel;
  if (!channel) {
    deps.log.warn({ component: 'slack', user: to.user }, `no channel to answer ${to.user} in: ${text}`);
    return;
  }
  try {
    if (deps.outbox) await deps.outbox.enqueue({ kind: 'ephemeral', channel, user: to.user, text });
    else await client.chat.postEphemeral({ channel, user: to.user, text });
  } catch (error) {
    deps.log.warn(
      { component: 'slack', channel, user: to.user, err: error },
      `could not answer ${to.user} in ${channel}: ${text}`,
    );
  }
}

/**
 * Someone who is not an approver tried to decide: the attempt goes to the audit log (who, what,
 * which job) and they are told, in a message only they see, what they tried and who may.
 */
export async function refuse(
  deps: ListenerDeps,
  client: WebClient,
  attempt: { user: string; channel: string | undefined; decision: DecisionName; job?: MaintenanceJob },
): Promise<void> {
  const { user, decision, job } = attempt;
  await deps.store.writeAudit({
    type: 'refused',
    by: user,
    via: 'slack',
    action: decision,
    ...(job ? { jobId: job.id, eventId: job.eventId, node: job.node } : {}),
  });
  deps.log.warn(
    { component: 'slack', user, action: decision, jobId: job?.id, eventId: job?.eventId, node: job?.node },
    `refused: ${user} is not an approver (SLACK_APPROVERS) and tried to ${decision}`,
  );
  const what = job ? `${decision} ${eventOn(job)}` : decision;
  await tell(
    deps,
    client,
    { channel: attempt.channel, user },
    `You may not ${what}: only Pitstop's approvers (SLACK_APPROVERS) may decide. Nothing was changed; ask one of them, or ask to be added.`,
  );
}
