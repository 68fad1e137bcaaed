import { systemClock } from '../clock.js';
import type { Clock, RunCommandResult, WaitOptions } from '../ports.js';
import { call, type OciContext } from './context.js';
import { CloudError } from './errors.js';
import { getInstance } from './instances.js';
import { CommandExecutionWire, CommandWire, fromSdk } from './wire.js';

/** OCI's limit for an inline (TEXT) script. */
export const MAX_SCRIPT_BYTES = 4096;

export interface PollBackoff {
  initialMs: number;
  maxMs: number;
}

const DEFAULT_BACKOFF: PollBackoff = { initialMs: 2_000, maxMs: 30_000 };
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED']);

/**
 * OCI answered, but the command itself gave no exit status: it outlived the deadline, timed out
 * or was canceled on the instance. Unlike a failed call, running it again is no cure.
 */
export class RunCommandEnded extends CloudError {}

/**
 * Runs `script` on the instance through the Oracle Cloud Agent and waits for its result.
 * OCI keeps only the last 1 KB of text output, so scripts must print their summary last.
 */
export async function runCommand(
  context: OciContext,
  instanceId: string,
  script: string,
  options: WaitOptions,
  clock: Clock = systemClock,
  backoff: PollBackoff = DEFAULT_BACKOFF,
): Promise<RunCommandResult> {
  const bytes = Buffer.byteLength(script);
  if (bytes > MAX_SCRIPT_BYTES) {
    throw new CloudError(
      `the Run Command script for instance ${instanceId} is ${bytes} bytes; OCI accepts at most ${MAX_SCRIPT_BYTES} inline.`,
      'createInstanceAgentCommand',
    );
  }
  const instance = await getInstance(context, instanceId);
  const timeoutSeconds = Math.max(60, Math.ceil((options.deadline.getTime() - clock.now().getTime()) / 1000));
  const created = await call(
    context,
    'createInstanceAgentCommand',
    `instance ${instanceId}`,
    instance.compartmentId,
    (c) =>
      c.agent.createInstanceAgentCommand({
        createInstanceAgentCommandDetails: {
          compartmentId: instance.compartmentId,
          executionTimeOutInSeconds: timeoutSeconds,
          displayName: 'pitstop health check',
          target: { instanceId },
          content: {
            source: { sourceType: 'TEXT', text: script },
            output: { outputType: 'TEXT' },
          },
        },
      }),
  );
  const commandId = fromSdk(CommandWire, created.instanceAgentCommand, 'createInstanceAgentCommand').id;
  const started = clock.now().getTime();
  for (let delay = backoff.initialMs; ; delay = Math.min(delay * 2, backoff.maxMs)) {
    const response = await call(
      context,
      'getInstanceAgentCommandExecution',
      `command ${commandId} on instance ${instanceId}`,
      instance.compartmentId,
      (c) => c.agent.getInstanceAgentCommandExecution({ instanceAgentCommandId: commandId, instanceId }),
    );
    const execution = fromSdk(
      CommandExecutionWire,
      response.instanceAgentCommandExecution,
      'getInstanceAgentCommandExecution',
    );
    if (FINISHED.has(execution.lifecycleState)) return resultOf(execution, commandId, instanceId);
    const waited = clock.now().getTime() - started;
    options.onProgress?.(
      `Run Command ${commandId} on ${instance.displayName || instanceId}: ${execution.lifecycleState} after ${Math.round(waited / 1000)} s`,
    );
    if (clock.now().getTime() + delay > options.deadline.getTime()) {
      throw new RunCommandEnded(
        `Run Command ${commandId} on instance ${instanceId} was still ${execution.lifecycleState} at the deadline ${options.deadline.toISOString()}.`,
        'getInstanceAgentCommandExecution',
      );
    }
    await clock.sleep(delay, options.signal);
  }
}

function resultOf(
  execution: ReturnType<typeof CommandExecutionWire.parse>,
  commandId: string,
  instanceId: string,
): RunCommandResult {
  const exitCode = execution.content?.exitCode;
  if (
    execution.lifecycleState === 'TIMED_OUT' ||
    execution.lifecycleState === 'CANCELED' ||
    exitCode === undefined
  ) {
    throw new RunCommandEnded(
      `Run Command ${commandId} on instance ${instanceId} ended ${execution.lifecycleState} without an exit code${execution.content?.message ? `: ${execution.content.message}` : ''}.`,
      'getInstanceAgentCommandExecution',
    );
  }
  return { exitCode, output: execution.content?.text ?? '' };
}
