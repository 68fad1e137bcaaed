import type { HealthTarget } from '../../ports.js';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** One command to run on the node: a program and its arguments, never a shell string. */
export interface RemoteCommand {
  argv: readonly string[];
  /**
   * For transports that keep only a little output (OCI Run Command: the last 1 KB), a fixed
   * script that prints a compact form of the same facts. Pitstop writes these scripts itself;
   * they hold no operator input.
   */
  compactScript?: string;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Why a command gave no output to judge: the node, what was tried, and what to do. Only
 * `unreachable` may heal by itself (a dropped connection, a 5xx); `refused` is an answer that
 * will not change (a missing IAM policy, a rejected key).
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'truncated' | 'unsupported' | 'refused',
    readonly node: string,
    message: string,
  ) {
    super(`${node}: ${message}`);
  }
}

export interface Transport {
  readonly name: 'ssh' | 'oci-run-command' | 'local';
  /** The transport keeps little output, so checks run their compact scripts. */
  readonly compact: boolean;
  /** Resolves when the node answers over this transport; rejects with a TransportError. */
  probe(target: HealthTarget, options: RunOptions): Promise<void>;
  /** The command's output and exit status; rejects with a TransportError when it could not run. */
  run(target: HealthTarget, command: RemoteCommand, options: RunOptions): Promise<CommandOutput>;
}
