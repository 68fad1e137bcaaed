import { z } from 'zod';
import type { MaintenanceJob } from '../domain/job.js';
import {
  nodeNotOut,
  notTerminable,
  type TerminateRequest,
  type Termination,
  terminateStep,
} from '../domain/terminate.js';
import type { Logger } from '../log.js';
import type { Clock, Cloud, Cluster, Notifier, Store } from '../ports.js';
import { finishedJobs } from '../store/audit-reader.js';

export interface TerminateDeps {
  store: Store & { readonly auditFile: string };
  cloud: Pick<Cloud, 'getInstance' | 'terminateInstance'>;
  cluster: Pick<Cluster, 'status' | 'slurmJobsOn'>;
  notifier: Pick<Notifier, 'progress'>;
  clock: Clock;
  /** TRIAGE_TERMINATE. */
  enabled: boolean;
  log: Logger;
}

/** What a terminate request did, in words for the person who asked. `ok`: recorded or done. */
export const TerminateAnswer = z.object({
  ok: z.boolean(),
  message: z.string(),
  job: z.object({ id: z.string(), eventId: z.string(), node: z.string().optional() }).optional(),
});
export type TerminateAnswer = z.infer<typeof TerminateAnswer>;

export const TERMINATE_OFF =
  'Terminate is off: nothing was done. An operator turns it on with TRIAGE_TERMINATE=true (then restarts pitstop serve).';

const GONE = new Set(['TERMINATING', 'TERMINATED']);

/** Set when an OCI call may have reached OCI without an answer: the instance is read again next time. */
const unanswered = (error: unknown) =>
  (error as { statusCode?: unknown }).statusCode === undefined ||
  (error as { transient?: unknown }).transient === true;

const names = (requests: readonly TerminateRequest[]) => requests.map((r) => r.by).join(' and ');

/**
 * Terminates the instance of a node that failed its checks and that its job keeps out, after two
 * different people asked (two-person rule). The job is finished by then: it is found in the live
 * state if still there, else in the audit log's `finished` records; the requests live in the
 * store's terminate file, so the first survives a restart. Requests run one at a time.
 */
export class Terminations {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: TerminateDeps) {}

  /** `ref`: an event OCID, a job id, or a node (its newest job). `by`: a Slack user id or a CLI identity. */
  request(ref: string, by: string, via: TerminateRequest['via']): Promise<TerminateAnswer> {
    const next = this.queue.then(() => this.handle(ref, by, via));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * At start: a terminate a crash interrupted between its call and its record (`calling`) is
   * settled by reading the instance, as the next request would, and the thread is told. Both
   * people had asked already.
   */
  async settleInterrupted(): Promise<void> {
    if (!this.deps.enabled) return;
    for (const record of this.deps.store.listTerminations().filter((r) => r.state === 'calling')) {
      const answer = await this.request(
        record.jobId,
        record.requests.at(-1)!.by,
        record.requests.at(-1)!.via,
      );
      this.deps.log.info(
        { component: 'terminate', jobId: record.jobId, node: record.node, ok: answer.ok },
        `interrupted terminate settled: ${answer.message}`,
      );
    }
  }

  private async handle(ref: string, by: string, via: TerminateRequest['via']): Promise<TerminateAnswer> {
    if (!this.deps.enabled) return { ok: false, message: TERMINATE_OFF };
    const job = await this.find(ref);
    if (!job) {
      return {
        ok: false,
        message: `No job for ${ref} (an event OCID, job id or node name, active or finished): nothing was done.`,
      };
    }
    const answer = (ok: boolean, message: string): TerminateAnswer => ({
      ok,
      message,
      job: { id: job.id, eventId: job.eventId, node: job.node },
    });
    const notOurs = notTerminable(job);
    if (notOurs) return answer(false, await this.refuse(job, by, notOurs, undefined));
    const record = this.deps.store.termination(job.id);
    const step = terminateStep(record, by);
    const instance = job.event.instanceId;
    switch (step.kind) {
      case 'terminated':
        return answer(
          true,
          `Instance ${instance} of ${job.node} was already terminated at ${step.record.terminatedAt} (asked by ${names(step.record.requests)}): nothing more to do.`,
        );
      case 'same_person':
        return answer(
          false,
          `You already asked to terminate instance ${instance} of ${job.node} (at ${step.first.at}): it still waits for a second approver other than you. Nothing was done.`,
        );
      case 'first':
        return answer(true, await this.first(job, { by, via, at: this.now() }, record));
      case 'second':
        await this.audit('terminate_requested', job, by, { via, second: true, first: step.first.by });
        return this.act(job, [step.first, { by, via, at: this.now() }], answer);
      case 'settle':
        return this.act(job, record!.requests, answer);
    }
  }

  private async first(job: MaintenanceJob, request: TerminateRequest, earlier: Termination | undefined) {
    await this.deps.store.setTermination({
      ...this.base(job),
      state: 'waiting',
      requests: [request],
      ...(earlier?.refused ? { refused: earlier.refused } : {}),
    });
    await this.audit('terminate_requested', job, request.by, { via: request.via });
    const message =
      `🔒 ${request.by} asks to terminate instance ${job.event.instanceId} of ${job.node}. ` +
      `Two-person rule: it waits for a second approver other than ${request.by} ` +
      `(Terminate instance in this thread, or pitstop terminate ${job.eventId}).`;
    await this.say(job, message);
    return `Recorded: terminating instance ${job.event.instanceId} of ${job.node} waits for a second approver other than you.`;
  }

  /** Both asked: read OCI and Slurm now, record, call, record. */
  private async act(
    job: MaintenanceJob,
    requests: TerminateRequest[],
    answer: (ok: boolean, message: string) => TerminateAnswer,
  ): Promise<TerminateAnswer> {
    const { cloud, cluster, store } = this.deps;
    const node = job.node!;
    const instanceId = job.event.instanceId;
    const who = names(requests);
    let state: string;
    try {
      state = (await cloud.getInstance(instanceId)).lifecycleState;
    } catch (error) {
      return answer(false, this.notNow(job, `cannot read instance ${instanceId} from OCI`, error));
    }
    if (GONE.has(state)) {
      // A call that went through before a crash (or a terminate by hand): never a second one.
      await this.terminated(job, requests, { alreadyAtOci: state });
      const message = `Instance ${instanceId} of ${node} is already ${state} at OCI: recorded as terminated (asked by ${who}); no second terminate was sent.`;
      await this.say(job, `🪦 ${message}`);
      return answer(true, message);
    }
    let why: string | undefined;
    try {
      why = nodeNotOut(job.id, await cluster.status(node), await cluster.slurmJobsOn(node));
    } catch (error) {
      return answer(false, this.notNow(job, `cannot read ${node} from Slurm`, error));
    }
    if (why) return answer(false, await this.refuse(job, requests.at(-1)!.by, why, requests));
    await store.setTermination({ ...this.base(job), state: 'calling', requests });
    try {
      await cloud.terminateInstance(instanceId);
    } catch (error) {
      const said = (error as Error).message;
      if (unanswered(error)) {
        this.deps.log.warn({ component: 'terminate', jobId: job.id, err: error }, 'terminate unanswered');
        return answer(
          false,
          `OCI did not answer the terminate of instance ${instanceId} (${said}). The request stays recorded: asking again reads the instance first and never terminates twice.`,
        );
      }
      return answer(
        false,
        await this.refuse(job, requests.at(-1)!.by, `OCI refused: ${said}`, requests, said),
      );
    }
    await this.terminated(job, requests, {});
    const message =
      `Instance ${instanceId} of ${node} is terminating at OCI (asked by ${who}); its boot volume is kept. ` +
      `${node} stays out in Slurm with this job's reason: remove or replace it there.`;
    await this.say(job, `🪦 ${message}`);
    return answer(true, message);
  }

  private async terminated(job: MaintenanceJob, requests: TerminateRequest[], extra: object) {
    const at = this.now();
    await this.deps.store.setTermination({
      ...this.base(job),
      state: 'terminated',
      requests,
      terminatedAt: at,
    });
    await this.audit('terminated', job, names(requests), { requests, ...extra });
  }

  /** Refused now: audited, said in the thread, and a new round of two requests is needed. */
  private async refuse(
    job: MaintenanceJob,
    by: string,
    why: string,
    requests: TerminateRequest[] | undefined,
    ociError?: string,
  ): Promise<string> {
    await this.audit('terminate_refused', job, by, { why, ...(ociError ? { error: ociError } : {}) });
    const message = `Terminate refused for instance ${job.event.instanceId}: ${why}. Nothing was terminated.`;
    if (requests) {
      await this.deps.store.setTermination({
        ...this.base(job),
        state: 'waiting',
        requests: [],
        refused: { at: this.now(), why },
      });
      await this.say(job, `⛔ ${message} Asking again needs two people again.`);
    }
    return message;
  }

  /** Could not look now (a read failed): nothing changes, the requests stay as they are. */
  private notNow(job: MaintenanceJob, what: string, error: unknown): string {
    this.deps.log.warn({ component: 'terminate', jobId: job.id, err: error }, what);
    return `Not terminated: ${what} (${(error as Error).message}). Nothing changed; ask again.`;
  }

  private base(job: MaintenanceJob) {
    return { jobId: job.id, eventId: job.eventId, node: job.node!, instanceId: job.event.instanceId };
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }

  private async audit(
    type: 'terminate_requested' | 'terminated' | 'terminate_refused',
    job: MaintenanceJob,
    by: string,
    extra: object,
  ) {
    await this.deps.store.writeAudit({
      type,
      by,
      jobId: job.id,
      eventId: job.eventId,
      node: job.node,
      instanceId: job.event.instanceId,
      ...extra,
    });
  }

  /** The thread is told best effort: the record and the audit log are what count. */
  private async say(job: MaintenanceJob, message: string) {
    try {
      await this.deps.notifier.progress(job, message);
    } catch (error) {
      this.deps.log.warn(
        { component: 'terminate', jobId: job.id, err: error },
        `not said in the thread: ${message}`,
      );
    }
  }

  /**
   * The job `ref` names: by event or job id, active or finished; by node, its newest job that
   * kept it out failed (a later event's job awaiting approval must not hide it), else its newest.
   * An older such job cannot pass the check that the node is still out with its own reason.
   */
  private async find(ref: string): Promise<MaintenanceJob | undefined> {
    const { store } = this.deps;
    const matches = (job: MaintenanceJob) => job.eventId === ref || job.id === ref || job.node === ref;
    const candidates = [...(await finishedJobs(store.auditFile, matches)), ...store.list().filter(matches)];
    const exact = candidates.filter((job) => job.eventId === ref || job.id === ref);
    const newestFirst = (exact.length > 0 ? exact : candidates).sort((a, b) =>
      b.updatedAt.localeCompare(a.updatedAt),
    );
    return newestFirst.find((job) => notTerminable(job) === undefined) ?? newestFirst[0];
  }
}
