import type { MaintenanceEvent } from '../domain/event.js';
import type { MaintenanceJob } from '../domain/job.js';
import type { PhaseContext, PhaseHandler } from './phase.js';
import { stopForHuman } from './stop-for-human.js';
import { threadReporter } from './thread.js';

/**
 * From when the node's present counts: slurmd must register after it, and kernel messages
 * before it are history. OCI's start of the maintenance when it says one; a canceled event
 * touched nothing, so the node's current registration is its present; else the window start.
 */
async function since(job: MaintenanceJob, event: MaintenanceEvent, node: string, context: PhaseContext) {
  if (event.timeStarted) return new Date(event.timeStarted);
  if (job.maintenanceState === 'CANCELED') {
    const status = await context.ports.cluster.status(node);
    if (status.slurmdStartTime) return new Date(status.slurmdStartTime);
  }
  return new Date(job.windowStart ?? job.updatedAt);
}

/** The instance's shape tells the checks how many GPUs and links to expect. */
async function shapeOf(job: MaintenanceJob, context: PhaseContext): Promise<string | undefined> {
  try {
    return (await context.ports.cloud.getInstance(job.event.instanceId)).shape;
  } catch (error) {
    if (context.signal?.aborted) throw error;
    // Without it the checks still run; the verdict says ERROR unless HEALTH_EXPECT_GPUS is set.
    threadReporter(
      job,
      context,
    )(`shape of instance ${job.event.instanceId} unknown: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Waits for the node to come back and runs the GPU checks (the HealthRunner does both). ERROR
 * is a verdict like FAIL, not a failure of the phase: triage keeps such a node out.
 */
export const health: PhaseHandler = (job, context) =>
  stopForHuman(
    job,
    context,
    'health',
    'The node stays drained: check it by hand (pitstop health run), then resume it or keep it out.',
    async (node) => {
      const { cloud, clock } = context.ports;
      const { settings } = context;
      const event = await cloud.getEvent(job.eventId);
      const verdict = await context.ports.health.run(
        {
          node,
          instanceId: job.event.instanceId,
          shape: await shapeOf(job, context),
          since: await since(job, event, node, context),
        },
        {
          // The checks get HEALTH_TIMEOUT of their own once the node answers (the runner's settings).
          backDeadline: new Date(clock.now().getTime() + settings.backTimeoutMs),
          onProgress: threadReporter(job, context),
          signal: context.signal,
        },
      );
      return { type: 'health_checked', verdict };
    },
  );
