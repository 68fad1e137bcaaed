import { DUE_DATE } from '../domain/due-date.js';
import { type JobAction, retryTokenFor } from '../domain/job.js';
import type { ScheduleResult, WorkRequest, WorkRequestStatus } from '../ports.js';
import { waitForOci } from './oci-wait.js';
import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

const FINISHED: ReadonlySet<WorkRequestStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/**
 * Moves the event's window to now + LEAD_TIME and follows OCI's work request. The retry token
 * comes from the job, so a second run (after a crash) gets OCI's first answer back rather than
 * a second update; for that it must send the same request, so when the event already carries
 * our tag (our update landed) the window sent is the one OCI holds, not a new now + lead time.
 * A job left to OCI near its hard due date moves nothing: it follows OCI's own window.
 */
export const schedule: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'schedule',
    'The node stays drained: check the event in the OCI console (its window can be moved there), and resume the node by hand (pitstop node resume) once it need not stay out.',
    async (node) => {
      const { cloud, clock } = context.ports;
      const { settings } = context;
      const progress = threadReporter(job, context);
      const tags = { [settings.tag]: job.id };
      const askForWindow = async (): Promise<{ done: JobAction } | { result: ScheduleResult }> => {
        const event = await cloud.getEvent(job.eventId);
        const ourUpdateLanded = event.freeformTags[settings.tag] === job.id;
        if (job.dueDecision?.choice === 'leave_to_oci') {
          const { by } = job.dueDecision;
          const at = event.timeWindowStart ?? event.timeHardDueDate ?? clock.now().toISOString();
          progress(
            `${node}: left to OCI (${by === DUE_DATE ? 'the hard due date came with no decision' : `by ${by}`}): ` +
              `the window stays as OCI has it (${at}); Pitstop follows event ${event.id} from here`,
          );
          return { done: { type: 'scheduled', windowStart: at } };
        }
        if (!ourUpdateLanded && event.state !== 'SCHEDULED') {
          // OCI began at its own window while we drained: there is nothing left to move.
          progress(`OCI already ${event.state} event ${event.id} at its own window: following it`);
          return {
            done: { type: 'scheduled', windowStart: event.timeWindowStart ?? clock.now().toISOString() },
          };
        }
        // OCI refuses a window after the hard due date: near it (a proceed), the due date is the window.
        const windowStart =
          ourUpdateLanded && event.timeWindowStart
            ? new Date(event.timeWindowStart)
            : new Date(
                Math.min(
                  clock.now().getTime() + settings.leadTimeMs,
                  event.timeHardDueDate
                    ? new Date(event.timeHardDueDate).getTime()
                    : Number.POSITIVE_INFINITY,
                ),
              );
        return {
          result: await cloud.schedule({
            eventId: job.eventId,
            windowStart,
            retryToken: retryTokenFor(job),
            tags,
          }),
        };
      };
      // Throttling or an outage while asking (429, 5xx, no answer) is waited out with back-off:
      // each try reads the event again, so an update that landed unanswered is re-sent as it was.
      const asked = await waitForOci<{ done: JobAction } | { result: ScheduleResult }>(
        context,
        {
          node,
          awaited: `OCI to take the new window of event ${job.eventId}`,
          onTimeout: 'Check the event in the OCI console.',
          deadline: new Date(clock.now().getTime() + settings.maintenanceTimeoutMs),
          progress,
        },
        async () => ({ done: await askForWindow() }),
      );
      if ('done' in asked) return asked.done;
      const { result } = asked;
      if (result.kind === 'fixed_window') {
        progress(result.reason);
        return { type: 'scheduled', windowStart: result.windowStart };
      }
      progress(
        `${node}: OCI accepted window ${result.windowStart}; following work request ${result.workRequestId}`,
      );
      const request = await waitForOci<WorkRequest>(
        context,
        {
          node,
          awaited: `OCI work request ${result.workRequestId} (event ${job.eventId})`,
          onTimeout: 'Check the work request in the OCI console.',
          // No setting of its own: a work request that outlasts the maintenance timeout is lost.
          deadline: new Date(clock.now().getTime() + settings.maintenanceTimeoutMs),
          progress,
        },
        async () => {
          const current = await cloud.getWorkRequest(result.workRequestId);
          return FINISHED.has(current.status)
            ? { done: current }
            : { waiting: `work request ${current.id} is ${current.status}` };
        },
      );
      if (request.status !== 'SUCCEEDED') {
        const errors = request.errors.length > 0 ? `: ${request.errors.join('; ')}` : '';
        throw new Error(`OCI work request ${request.id} ended ${request.status}${errors}`);
      }
      return { type: 'scheduled', windowStart: result.windowStart, workRequestId: result.workRequestId };
    },
  );
