import type { MaintenanceJob } from '../domain/job.js';
import { notTerminable } from '../domain/terminate.js';
import type { Logger } from '../log.js';
import type { Announcement, Cloud, Cluster, Notifier } from '../ports.js';
import { digestMessage } from './blocks/digest-message.js';
import { dueWarningMessage } from './blocks/due-warning.js';
import { eventMessage } from './blocks/event-message.js';
import { withTerminateOffer } from './blocks/terminate-offer.js';
import { progressReply, threadLine } from './blocks/thread-line.js';
import { digestsOf } from './digest.js';
import type { EventFacts } from './outbox/messages.js';
import type { Outbox } from './outbox/outbox.js';

export interface SlackNotifierDeps {
  outbox: Outbox;
  /** SLACK_CHANNEL */
  channel: string;
  cloud: Pick<Cloud, 'getInstance'>;
  cluster: Pick<Cluster, 'status' | 'slurmJobsOn'>;
  log: Logger;
  /** SLACK_DIGEST_THRESHOLD: a sweep announcing more new events than this also posts a digest. */
  digestThreshold: number;
  /** TRIAGE_TERMINATE: the verdict that kept a failed node out offers Terminate instance. */
  offerTerminate?: boolean;
}

/**
 * The Notifier in Slack: the event message (announce), updated in place as the job moves
 * (phaseChanged), and a reply in its thread for every phase change and progress line. All of it
 * goes through the outbox, so each call resolves once its message is durable, not sent: the
 * pipeline never waits on Slack, and an announcement counts as made once it is queued.
 */
export class SlackNotifier implements Notifier {
  constructor(private readonly deps: SlackNotifierDeps) {}

  async announce(job: MaintenanceJob): Promise<Announcement> {
    const { outbox } = this.deps;
    const posted = outbox.messageOf(job.id) ?? job.slack;
    if (posted) return { slack: { channel: posted.channel, ts: posted.ts } };
    if (outbox.announced(job.id)) return {};
    const facts = await this.factsAbout(job);
    await outbox.enqueue({
      kind: 'announce',
      jobId: job.id,
      channel: this.deps.channel,
      facts,
      ...eventMessage(job, facts),
    });
    return {};
  }

  /** A sweep's new events: past the threshold, one digest with Approve all besides their own messages. */
  async announceBatch(jobs: MaintenanceJob[]): Promise<void> {
    const undecided = jobs.filter((job) => job.phase === 'awaiting_approval');
    if (undecided.length <= this.deps.digestThreshold) return;
    for (const digest of digestsOf(undecided)) {
      await this.deps.outbox.enqueue({ kind: 'post', channel: this.deps.channel, ...digestMessage(digest) });
    }
  }

  async phaseChanged(job: MaintenanceJob, previous: MaintenanceJob): Promise<void> {
    const { outbox } = this.deps;
    const facts = outbox.factsOf(job.id) ?? {};
    await outbox.enqueue({ kind: 'update', jobId: job.id, ...eventMessage(job, facts) });
    const line = threadLine(job, previous);
    const offer = this.deps.offerTerminate && job.phase === 'bookkeeping' && !notTerminable(job);
    // The hard due date's warning carries its buttons (proceed now / let OCI act); a kept-out verdict may offer Terminate.
    const reply =
      job.dueWarning && !previous.dueWarning
        ? dueWarningMessage(job)
        : offer
          ? withTerminateOffer(job, line)
          : { text: line };
    await outbox.enqueue({ kind: 'reply', jobId: job.id, ...reply });
  }

  async progress(job: MaintenanceJob, message: string): Promise<void> {
    await this.deps.outbox.enqueue({ kind: 'reply', jobId: job.id, text: progressReply(message) });
  }

  /** Read once, best effort: what cannot be read shows as "not read", and the announcement goes out anyway. */
  private async factsAbout(job: MaintenanceJob): Promise<EventFacts> {
    const { cloud, cluster, log } = this.deps;
    const node = job.node;
    const [instance, status, slurmJobs] = await Promise.allSettled([
      cloud.getInstance(job.event.instanceId),
      node ? cluster.status(node) : Promise.resolve(undefined),
      node ? cluster.slurmJobsOn(node) : Promise.resolve(undefined),
    ]);
    for (const failed of [instance, status, slurmJobs].filter((r) => r.status === 'rejected')) {
      log.debug(
        { component: 'slack', jobId: job.id, eventId: job.eventId, node, err: failed.reason },
        'the event message shows a fact as not read',
      );
    }
    const value = <T>(result: PromiseSettledResult<T>) =>
      result.status === 'fulfilled' ? result.value : undefined;
    const read = value(status);
    const jobs = value(slurmJobs);
    return {
      ...(value(instance) ? { shape: value(instance)!.shape } : {}),
      ...(read ? { node: { gpus: read.gpus, gpuType: read.gpuType, partitions: read.partitions } } : {}),
      ...(jobs ? { slurmJobs: jobs } : {}),
    };
  }
}
