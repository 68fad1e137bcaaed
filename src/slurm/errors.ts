import type { MayHeal } from '../poll.js';

/**
 * A Slurm command failed; the message names the node, the command and what to check. Only a
 * controller that did not answer can heal by waiting (`transient`); an unknown node, a refusal,
 * a broken configuration or a wait's own decision say the same on every later try.
 */
export class SlurmError extends Error implements MayHeal {
  override readonly name: string = 'SlurmError';
  readonly transient: boolean = false;
  constructor(
    message: string,
    readonly node?: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** slurmctld did not answer (or a command timed out), even after the retries. */
export class SlurmUnreachableError extends SlurmError {
  override readonly name = 'SlurmUnreachableError';
  override readonly transient = true;
}

export class UnknownNodeError extends SlurmError {
  override readonly name = 'UnknownNodeError';
}

/** A wait gave up: the deadline passed, or the node left the state being waited for. */
export class SlurmWaitError extends SlurmError {
  override readonly name = 'SlurmWaitError';
}

export type SlurmFailure = 'unreachable' | 'unknown-node' | 'auth' | 'config' | 'refused';

/** Sorts a failed command by its output: only `unreachable` is worth retrying. */
export function classifySlurmFailure(output: string): SlurmFailure {
  if (
    /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted/i.test(
      output,
    )
  )
    return 'unreachable';
  if (/Node \S+ not found|Invalid node name specified/i.test(output)) return 'unknown-node';
  if (/configuration file|configuration source/i.test(output)) return 'config';
  if (/munge|authentication|Invalid user id|Access.?denied|not authorized/i.test(output)) return 'auth';
  return 'refused';
}
