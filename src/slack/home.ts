import type { WebClient } from '@slack/web-api';
import { MaintenanceJob } from '../domain/job.js';
import { isOutOfService } from '../domain/node.js';
import { scanAudit } from '../store/audit-reader.js';
import { appHomeView, type HomeSnapshot } from './blocks/app-home.js';
import type { ListenerDeps } from './listeners/deps.js';

/** As many as the Home tab lists. */
const RECENT = 20;

/** The last finished jobs, newest first, from the audit log's `finished` records. */
async function recentOutcomes(auditFile: string): Promise<MaintenanceJob[]> {
  const finished = await scanAudit(auditFile, (record) => (record as { type?: unknown }).type === 'finished');
  return finished
    .slice(-RECENT)
    .reverse()
    .flatMap((record) => {
      const job = MaintenanceJob.safeParse((record as { job?: unknown }).job);
      return job.success ? [job.data] : [];
    });
}

/** What the Home tab shows now: jobs, nodes out of service (Slurm), last outcomes, paused or not. */
export async function homeSnapshot(deps: ListenerDeps, now: Date): Promise<HomeSnapshot> {
  const [nodes, recent] = await Promise.all([deps.cluster.listNodes(), recentOutcomes(deps.store.auditFile)]);
  const paused = deps.orchestrator.paused();
  return {
    at: now.toISOString(),
    jobs: deps.store.list(),
    nodesOut: nodes.filter(isOutOfService),
    recent,
    ...(paused ? { paused } : {}),
  };
}

/**
 * Publishes `user`'s Home tab. Without Slurm's node list it publishes nothing (the tab keeps
 * what it showed): an empty list would claim every node is in service.
 */
export async function publishHome(
  deps: ListenerDeps,
  client: WebClient,
  user: string,
  now: Date,
): Promise<void> {
  let snapshot: HomeSnapshot;
  try {
    snapshot = await homeSnapshot(deps, now);
  } catch (error) {
    deps.log.warn(
      { component: 'slack', user, err: error },
      `Home tab not refreshed for ${user}: ${(error as Error).message}`,
    );
    return;
  }
  const view = appHomeView(snapshot);
  if (deps.outbox) await deps.outbox.enqueue({ kind: 'home', user, view });
  else await client.views.publish({ user_id: user, view });
}
