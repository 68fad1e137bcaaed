import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { DEFAULT_NODE_MAPPING } from '../../src/domain/mapping.js';
import type { Gates } from '../../src/gates/gates.js';
import { createLogger, type Logger } from '../../src/log.js';
import { OciNodeMapper } from '../../src/oci/node-mapper.js';
import { Orchestrator, type OrchestratorOptions } from '../../src/orchestrator.js';
import type { Announcement, Notifier } from '../../src/ports.js';
import { JobStore } from '../../src/store/job-store.js';
import { type Pipeline, SETTINGS } from './pipeline.js';

/** What the Slack channel would have shown: announcements, and every thread line per event. */
export class RecordingNotifier implements Notifier {
  readonly announced: string[] = [];
  readonly lines: { eventId: string; line: string }[] = [];
  private readonly listeners: ((line: string) => void)[] = [];

  /** With `inner`, every call also goes on to it (the real Slack notifier, in end-to-end tests). */
  constructor(private readonly inner?: Notifier) {}

  /** Where Slack would have posted it: one message per announcement (or where `inner` did). */
  async announce(job: MaintenanceJob): Promise<Announcement> {
    this.announced.push(job.eventId);
    if (this.inner) return this.inner.announce(job);
    return {
      slack: { channel: 'C0PITSTOP', ts: `1700000000.${String(this.announced.length).padStart(6, '0')}` },
    };
  }
  // `inner` first: a test that sees the line may take it that the real notifier was told too.
  async phaseChanged(job: MaintenanceJob, previous: MaintenanceJob) {
    await this.inner?.phaseChanged(job, previous);
    this.say(job, `${previous.phase} → ${job.phase}`);
  }
  async progress(job: MaintenanceJob, message: string) {
    await this.inner?.progress(job, message);
    this.say(job, message);
  }
  thread(eventId: string): string[] {
    return this.lines.filter((l) => l.eventId === eventId).map((l) => l.line);
  }
  onLine(listener: (line: string) => void) {
    this.listeners.push(listener);
  }
  private say(job: MaintenanceJob, line: string) {
    this.lines.push({ eventId: job.eventId, line });
    for (const listener of this.listeners) listener(line);
  }
}

export const OPTIONS: OrchestratorOptions = {
  // Sweeps are called by the tests; the schedule is never due while one runs.
  discoveryCron: '0 0 1 1 *',
  maxWorkers: 4,
  maxNodesOut: 4,
  maxPartitionOutPercent: 100,
  autoApprove: [],
  // Long enough that a fixed-window job drains at once. A wait for its window would be one long
  // sleep on the auto-advancing clock, jumping every concurrent job's time (and deadlines) by a
  // day while a real health-check process runs. Its own test sets the lead it checks.
  fixedWindowDrainLeadMs: 30 * 86_400_000,
  dryRun: false,
  triageTerminate: false,
};

export interface OrchestratorRig<N extends Notifier = RecordingNotifier> {
  orchestrator: Orchestrator;
  store: JobStore;
  notifier: N;
  /** Stops the orchestrator and closes the store (the lock is released). */
  close(): Promise<void>;
}

/** A logger whose lines (parsed) a test can read. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('debug', sink), lines };
}

export const tempStateFile = () => join(mkdtempSync(join(tmpdir(), 'pitstop-orch-')), 'state.json');

/**
 * An Orchestrator over the pipeline's real adapters and simulators, and a real JobStore (with
 * its lock) on `files`: a state file (the audit log beside it), or the files a Config names.
 */
export async function orchestratorOver<N extends Notifier = RecordingNotifier>(
  pipeline: Pipeline,
  files: string | { stateFile: string; auditFile: string },
  /** With `gates`: MAINTENANCE_WINDOWS and blockers (none by default). */
  { gates, ...options }: Partial<OrchestratorOptions> & { gates?: Gates } = {},
  log: Logger = createLogger('silent'),
  /** Another Notifier than the RecordingNotifier, made over the store (the Slack one needs it). */
  notifierOver?: (store: JobStore) => Promise<N>,
): Promise<OrchestratorRig<N>> {
  const { stateFile, auditFile } =
    typeof files === 'string' ? { stateFile: files, auditFile: join(files, '..', 'audit.jsonl') } : files;
  const store = await JobStore.open({ stateFile, auditFile, clock: pipeline.clock });
  const notifier = notifierOver ? await notifierOver(store) : (new RecordingNotifier() as unknown as N);
  const { ports } = pipeline.context();
  const orchestrator = new Orchestrator({
    ports: { ...ports, notifier },
    store,
    mapper: new OciNodeMapper(pipeline.oci.cloud.context, {
      steps: DEFAULT_NODE_MAPPING,
      mgmtCommand: 'mgmt',
      cluster: pipeline.cluster,
      concurrency: 4,
      timeoutMs: 5_000,
    }),
    settings: SETTINGS,
    gates,
    options: { ...OPTIONS, ...options },
    log,
  });
  return {
    orchestrator,
    store,
    notifier,
    async close() {
      await orchestrator.stop();
      await store.close();
    },
  };
}
