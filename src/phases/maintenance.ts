import { type EventState, TERMINAL_EVENT_STATES } from '../domain/event.js';
import { waitForOci } from './oci-wait.js';
import type { PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

type Ended = Extract<EventState, 'SUCCEEDED' | 'FAILED' | 'CANCELED'>;

/**
 * Waits for OCI to finish the event; SUCCEEDED, FAILED and CANCELED are all outcomes that
 * triage handles. MAINTENANCE_TIMEOUT counts from the window start (or now, when that is
 * later): a window OCI fixed days ahead must not use it up before the maintenance begins.
 */
export const maintenance: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'maintenance',
    'The node stays drained: check the event in the OCI console; once it has ended, check the node and resume it by hand.',
    async (node) => {
      const { cloud, clock } = context.ports;
      const windowStart = job.windowStart ? new Date(job.windowStart).getTime() : Number.NaN;
      const from = Math.max(clock.now().getTime(), Number.isNaN(windowStart) ? 0 : windowStart);
      const state = await waitForOci<Ended>(
        context,
        {
          node,
          awaited: `OCI to finish event ${job.eventId} on ${node}`,
          onTimeout: 'Raise MAINTENANCE_TIMEOUT if OCI is only slow.',
          deadline: new Date(from + context.settings.maintenanceTimeoutMs),
          progress: threadReporter(job, context),
        },
        async () => {
          const event = await cloud.getEvent(job.eventId);
          if (TERMINAL_EVENT_STATES.has(event.state)) return { done: event.state as Ended };
          const details = event.lifecycleDetails ? ` (${event.lifecycleDetails})` : '';
          return { waiting: `OCI event ${event.id} on ${node} is ${event.state}${details}` };
        },
      );
      return { type: 'maintenance_ended', state };
    },
  );
