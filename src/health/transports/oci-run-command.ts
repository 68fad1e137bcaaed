import { CloudError } from '../../oci/errors.js';
import { RunCommandEnded } from '../../oci/run-command.js';
import type { Clock, Cloud, HealthTarget } from '../../ports.js';
import { quoteForShell } from './ssh.js';
import {
  type CommandOutput,
  type RemoteCommand,
  type RunOptions,
  type Transport,
  TransportError,
} from './transport.js';

/** OCI's limit for an inline script: checked here too, so the error names the check. */
const MAX_SCRIPT_BYTES = 4096;
const BEGIN = '@@pitstop-begin';
const END = /@@pitstop-end rc=(\d+)\s*$/;

/**
 * The script OCI runs: the command's output between two markers, the exit status last. OCI
 * keeps only the last 1 KB of output, so a missing begin marker means the output was cut. The
 * command runs in a subshell: a compact script that exits early still gets its status printed.
 */
export function runCommandScript(command: RemoteCommand): string {
  const body = command.compactScript ?? command.argv.map(quoteForShell).join(' ');
  return ['#!/bin/sh', `echo '${BEGIN}'`, `( ${body}\n) 2>&1`, 'echo "@@pitstop-end rc=$?"', ''].join('\n');
}

/** Runs the checks through the Oracle Cloud Agent's Run Command plugin (no network path needed). */
export class OciRunCommandTransport implements Transport {
  readonly name = 'oci-run-command';
  readonly compact = true;

  constructor(
    private readonly cloud: Pick<Cloud, 'runCommand'>,
    private readonly clock: Clock,
  ) {}

  async probe(target: HealthTarget, options: RunOptions): Promise<void> {
    const output = await this.run(target, { argv: ['true'] }, options);
    if (output.exitCode !== 0) {
      throw new TransportError(
        'unreachable',
        target.node,
        `Run Command answered with exit ${output.exitCode}`,
      );
    }
  }

  async run(target: HealthTarget, command: RemoteCommand, options: RunOptions): Promise<CommandOutput> {
    const script = runCommandScript(command);
    if (Buffer.byteLength(script) > MAX_SCRIPT_BYTES) {
      throw new TransportError(
        'unsupported',
        target.node,
        `the script for "${command.argv.join(' ')}" exceeds 4 KB`,
      );
    }
    const deadline = new Date(this.clock.now().getTime() + options.timeoutMs);
    const result = await this.cloud
      .runCommand(target.instanceId, script, { deadline, signal: options.signal })
      .catch((error: unknown) => {
        throw transportErrorOf(error, target.node);
      });
    const begin = result.output.indexOf(BEGIN);
    const end = END.exec(result.output);
    if (begin < 0) {
      throw new TransportError(
        'truncated',
        target.node,
        `"${command.argv.join(' ')}" printed more than OCI Run Command keeps (1 KB); run this check over ssh`,
      );
    }
    if (!end) {
      throw new TransportError(
        'unreachable',
        target.node,
        `Run Command output has no exit status (exit ${result.exitCode})`,
      );
    }
    const stdout = result.output.slice(begin + BEGIN.length + 1, end.index);
    return { exitCode: Number(end[1]), stdout, stderr: '' };
  }
}

/** HTTP answers that the same request will get again: a policy, a signature, a bad request. */
const LASTING = new Set([400, 401, 403, 404, 409]);

/** A failed Run Command as a transport failure: retried when it may heal, final when it cannot. */
function transportErrorOf(error: unknown, node: string): unknown {
  if (!(error instanceof CloudError)) return error;
  if (error instanceof RunCommandEnded) return new TransportError('timeout', node, error.message);
  const lasting = error.statusCode !== undefined && LASTING.has(error.statusCode);
  return new TransportError(lasting ? 'refused' : 'unreachable', node, `Run Command: ${error.message}`);
}
