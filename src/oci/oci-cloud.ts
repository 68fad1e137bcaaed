import { systemClock } from '../clock.js';
import type { MaintenanceEvent } from '../domain/event.js';
import type {
  Clock,
  Cloud,
  Discovery,
  Instance,
  RunCommandResult,
  ScheduleRequest,
  ScheduleResult,
  WaitOptions,
  WorkRequest,
} from '../ports.js';
import { authenticate, type OciSettings } from './auth.js';
import { createClients } from './clients.js';
import type { OciContext } from './context.js';
import { discoverEvents } from './discovery.js';
import { fetchEvent } from './events.js';
import { getInstance, primaryPrivateIp } from './instances.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { type PollBackoff, runCommand } from './run-command.js';
import { scheduleEvent, tagEvent } from './schedule.js';
import { routeSdkWarnings } from './sdk-warnings.js';
import { terminateInstance } from './terminate.js';
import { getWorkRequest } from './work-requests.js';

export interface OciCloudOptions {
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  /** Run Command polling; the default starts at 2 s and doubles up to 30 s. */
  commandPoll?: PollBackoff;
  /** Where the SDK's retry chatter goes (it would otherwise print free text on stderr). */
  onSdkWarning?: (message: string) => void;
}

/** The Cloud port over the OCI SDK. */
export class OciCloud implements Cloud {
  private constructor(
    readonly context: OciContext,
    private readonly settings: OciSettings,
    private readonly options: OciCloudOptions,
  ) {}

  static async create(settings: OciSettings, options: OciCloudOptions = {}): Promise<OciCloud> {
    routeSdkWarnings(options.onSdkWarning);
    const { provider, tenancy } = await authenticate(settings);
    const clients = createClients(provider, {
      endpoint: settings.endpoint,
      region: settings.region,
      retry: { ...DEFAULT_RETRY, ...options.retry },
    });
    const principal = settings.auth === 'config_file' ? 'group' : 'dynamic-group';
    return new OciCloud({ clients, tenancy, principal }, settings, options);
  }

  discoverEvents(options: Parameters<Cloud['discoverEvents']>[0] = {}): Promise<Discovery> {
    return discoverEvents(this.context, {
      compartments: this.settings.compartments,
      concurrency: this.settings.concurrency,
      ...options,
    });
  }

  async getEvent(eventId: string): Promise<MaintenanceEvent> {
    return (await fetchEvent(this.context, eventId)).event;
  }

  async getInstance(instanceId: string): Promise<Instance> {
    const instance = await getInstance(this.context, instanceId);
    const primaryVnicAddress = await primaryPrivateIp(this.context, instance);
    return primaryVnicAddress ? { ...instance, primaryVnicAddress } : instance;
  }

  schedule(request: ScheduleRequest): Promise<ScheduleResult> {
    return scheduleEvent(this.context, request);
  }

  getWorkRequest(workRequestId: string): Promise<WorkRequest> {
    return getWorkRequest(this.context, workRequestId);
  }

  tagEvent(eventId: string, tags: Record<string, string>): Promise<void> {
    return tagEvent(this.context, eventId, tags);
  }

  terminateInstance(instanceId: string): Promise<void> {
    return terminateInstance(this.context, instanceId);
  }

  runCommand(instanceId: string, script: string, options: WaitOptions): Promise<RunCommandResult> {
    return runCommand(
      this.context,
      instanceId,
      script,
      options,
      this.options.clock ?? systemClock,
      this.options.commandPoll,
    );
  }
}
