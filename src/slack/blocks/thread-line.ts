import { DUE_CHOICE_WORDS, DUE_DATE } from '../../domain/due-date.js';
import type { MaintenanceJob, TicketRecord } from '../../domain/job.js';
import type { CheckResult, CheckStatus, Verdict } from '../../domain/verdict.js';
import { decisionLine, utc, who } from './format.js';
import { LIMITS } from './limits.js';
import { cut, escapeMrkdwn, safe } from './text.js';

/**
 * Thread replies are cut to a section's limit, not the 40,000 of a message's text: the outbox may
 * post them as text or inside a section block, and both must pass.
 */
const MAX_REPLY = LIMITS.sectionText;

const ICONS: Record<CheckStatus, string> = { pass: '✅', fail: '❌', warn: '⚠️', error: '❓' };
/** Failures first: when a long verdict is cut, what kept the node out is what survives. */
const ORDER: readonly CheckStatus[] = ['fail', 'error', 'warn', 'pass'];

const checkLine = (check: CheckResult) =>
  `${ICONS[check.status]} ${escapeMrkdwn(check.check)}${check.gpu === undefined ? '' : ` (GPU ${escapeMrkdwn(check.gpu)})`}: ${escapeMrkdwn(check.detail)}`;

const ACTION_WORDS: Record<Verdict['action'], string> = {
  none: '',
  fix_config: 'fix the node configuration (not a hardware fault)',
  reset_gpu: 'reset the GPU or reboot',
  reboot: 'reboot the node',
  terminate: 'hardware fault: open an OCI ticket or terminate the instance so OCI replaces the host',
};

function verdictText(node: string, verdict: Verdict): string {
  const checks = ORDER.flatMap((status) => verdict.checks.filter((c) => c.status === status)).map(checkLine);
  const unexplained = verdict.checks.length === 0 ? verdict.reasons.map((r) => `❓ ${escapeMrkdwn(r)}`) : [];
  const advice = verdict.action === 'none' ? [] : [`*Recommended:* ${ACTION_WORDS[verdict.action]}`];
  return [`*Health ${verdict.status}* on ${node}`, ...checks, ...unexplained, ...advice].join('\n');
}

/** Who holds a node that stays out, which decides who may put it back. */
const holder = (job: MaintenanceJob) =>
  job.drainedBy === 'other'
    ? 'someone else held it out before Pitstop: their Slurm reason stays and Pitstop never resumes it'
    : "it stays drained with Pitstop's reason: resume it by hand once it is fixed";

/** The ticket TICKET_WEBHOOK_URL opened for a node kept out (linked when its answer gave a URL), or why none was. */
function ticketLine(ticket: TicketRecord, node: string): string {
  if (!ticket.opened) {
    return `⚠️ No ticket was opened for ${node}: ${escapeMrkdwn(ticket.error)}. ${node} stays out; open one by hand.`;
  }
  if (ticket.id === undefined && ticket.url === undefined) {
    return `🎫 A ticket was opened for ${node} (the answer named no id or URL).`;
  }
  const name = escapeMrkdwn(ticket.id ?? 'ticket');
  const shown = ticket.url ? `<${ticket.url.replace(/[<>|]/g, encodeURIComponent)}|${name}>` : name;
  return `🎫 Ticket ${shown} opened for ${node}.`;
}

/** What the hard due date changed in a drain that waited: the warning, the decision, the cut. */
function dueLine(job: MaintenanceJob, previous: MaintenanceJob, node: string): string | undefined {
  const decision = job.dueDecision;
  if (job.phase === 'draining' && job.dueWarning && !previous.dueWarning) {
    const count = job.dueWarning.slurmJobs.length;
    return `⏰ The hard due date (${utc(job.event.timeHardDueDate)}) is near and the drain of ${node} still waits on ${count === 1 ? '1 Slurm job' : `${count} Slurm jobs`}: proceed now, or let OCI act at its time.`;
  }
  if (!decision) return undefined;
  const words = DUE_CHOICE_WORDS[decision.choice];
  if (job.phase === 'draining' && !previous.dueDecision) {
    return `⏭️ ${who(decision)} chose to ${words}: Pitstop stops waiting for the Slurm jobs on ${node}, which stays drained.`;
  }
  if (job.phase !== 'scheduling' || job.history.at(-1)?.action !== 'drain_cut_short') return undefined;
  if (decision.by === DUE_DATE) {
    return `⏰ The hard due date (${utc(job.event.timeHardDueDate)}) came with no decision: ${node} stays drained and is left to OCI; Pitstop follows the event from here.`;
  }
  return `${node} stays drained with Slurm jobs still running: ${who(decision)} chose to ${words}.`;
}

function line(job: MaintenanceJob, previous: MaintenanceJob, node: string): string {
  const reason = job.reason ? escapeMrkdwn(job.reason) : '';
  if (job.ticket && !previous.ticket) return ticketLine(job.ticket, node);
  if (job.phase === 'done' && job.outcome === 'failed') {
    return `⚠️ *Stopped in ${previous.phase}*, a human is needed: ${reason}`;
  }
  const due = dueLine(job, previous, node);
  if (due) return due;
  switch (job.phase) {
    case 'draining':
      return `✅ Approved by ${job.approval ? who(job.approval) : 'someone'}: draining ${node}.`;
    case 'scheduling':
      return job.drainedBy === 'other'
        ? `⚠️ ${node} was already held out by someone else: Pitstop goes on, and will never resume it.`
        : `${node} is drained: no Slurm jobs left on it.`;
    case 'maintenance':
      return job.workRequestId
        ? `🗓️ Maintenance scheduled: window starts ${utc(job.windowStart)} (work request ${escapeMrkdwn(job.workRequestId)}).`
        : `🗓️ OCI keeps its own window, starting ${utc(job.windowStart)}: Pitstop follows it.`;
    case 'health':
      return `Maintenance ${job.maintenanceState ?? 'ended'}: checking ${node}'s GPUs.`;
    case 'triage':
      return job.verdict
        ? verdictText(node, job.verdict)
        : `❌ OCI reports the maintenance ${job.maintenanceState ?? 'did not finish'}: ${node} stays out.`;
    case 'bookkeeping':
      return job.triage === 'resumed'
        ? `✅ *${node} resumed:* ${reason}`
        : `❌ *${node} kept out:* ${reason}. ${holder(job)}.`;
    case 'done':
      switch (job.outcome) {
        case 'denied':
          return decisionLine(job) ?? `🚫 ${reason}`;
        case 'canceled':
          return `Canceled: ${reason}`;
        default:
          return `Done: ${job.outcome === 'returned' ? `${node} is back in service` : `${node} stays out`}.`;
      }
    default:
      return `${previous.phase} → ${job.phase}${reason ? `: ${reason}` : ''}`;
  }
}

/** The reply in the event's thread for the job's move from `previous` to `job`. */
export function threadLine(job: MaintenanceJob, previous: MaintenanceJob): string {
  return cut(line(job, previous, escapeMrkdwn(job.node ?? 'the unmapped instance')), MAX_REPLY);
}

/** A progress line of a phase (drain, schedule, waits), as text from Slurm and OCI: escaped, cut. */
export const progressReply = (text: string) => safe(text, MAX_REPLY);

/** A verdict on its own (ad-hoc `/pitstop health`), as the thread shows one. */
export const verdictReply = (node: string, verdict: Verdict) =>
  cut(verdictText(escapeMrkdwn(node), verdict), MAX_REPLY);
