import { faultLabel } from '../../domain/event.js';
import type { MaintenanceJob } from '../../domain/job.js';
import type { SlurmJob } from '../../domain/node.js';
import { progressLine } from './progress.js';
import { escapeMrkdwn, safe } from './text.js';

type Approval = NonNullable<MaintenanceJob['approval']>;

const validDate = (iso: string | undefined) => {
  const date = iso === undefined ? undefined : new Date(iso);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
};

/** `2026-12-01 10:00 UTC`, or "not set" for a missing or unreadable date. */
export function utc(iso: string | undefined): string {
  const date = validDate(iso);
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not set';
}

/** `14:02 UTC`: the time of a decision, which the message's own timestamp dates. */
export function utcTime(iso: string): string {
  const date = validDate(iso);
  return date ? `${date.toISOString().slice(11, 16)} UTC` : escapeMrkdwn(iso);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A Slack user is mentioned (`<@U…>`); a CLI user or the policy is named as it is, with how. */
export function who(approval: Pick<Approval, 'by' | 'via'>): string {
  if (approval.via === 'slack') {
    return SLACK_USER_ID.test(approval.by) ? `<@${approval.by}>` : escapeMrkdwn(approval.by);
  }
  return `${escapeMrkdwn(approval.by)} (via ${approval.via})`;
}

const TOP_USERS = 5;

/** "3 Slurm jobs running (alice ×2, bob)": the count and who would lose work, busiest first. */
export function slurmJobsSummary(slurmJobs: readonly SlurmJob[]): string {
  if (slurmJobs.length === 0) return 'no Slurm jobs running';
  const perUser = new Map<string, number>();
  for (const job of slurmJobs) perUser.set(job.user, (perUser.get(job.user) ?? 0) + 1);
  const ranked = [...perUser].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  const named = ranked
    .slice(0, TOP_USERS)
    .map(([user, count]) => `${escapeMrkdwn(user)}${count > 1 ? ` ×${count}` : ''}`);
  const others = ranked.length > TOP_USERS ? `, ${ranked.length - TOP_USERS} more users` : '';
  const noun = slurmJobs.length === 1 ? 'Slurm job' : 'Slurm jobs';
  return `${slurmJobs.length} ${noun} running (${named.join(', ')}${others})`;
}

/** The reason a denier typed: the job keeps it inside `denied by <who>: <reason>`. */
function typedDenyReason(job: MaintenanceJob): string {
  const prefix = `denied by ${job.approval?.by}: `;
  return job.reason?.startsWith(prefix) ? job.reason.slice(prefix.length) : '';
}

/** "✅ Approved by <@U1> at 14:02 UTC", or the denial with the reason as typed; none before a decision. */
export function decisionLine(job: MaintenanceJob): string | undefined {
  if (!job.approval) return undefined;
  const when = utcTime(job.approval.at);
  if (job.approval.decision === 'approved') return `✅ Approved by ${who(job.approval)} at ${when}`;
  const reason = typedDenyReason(job);
  return `🚫 Denied by ${who(job.approval)} at ${when}${reason ? `: ${escapeMrkdwn(reason)}` : ''}`;
}

/** `• *gpu-1* HPCRDMA-0002-02 — ■■□□□□□ 2/7 scheduling — why`: one job in a list. */
export const jobLine = (job: MaintenanceJob) =>
  `• *${safe(job.node ?? 'unmapped', 200)}* ${safe(faultLabel(job.event), 100)} — ${progressLine(job) ?? job.phase.replace('_', ' ')}` +
  (job.reason ? ` — ${safe(job.reason, 300)}` : '');
