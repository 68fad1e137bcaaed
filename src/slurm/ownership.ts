import { drainOwner, holderOf, isOutOfService, MAX_REASON_LENGTH, type NodeStatus } from '../domain/node.js';
import { SlurmError } from './errors.js';

/**
 * Reasons go to scontrol as one `Reason=` argument: one line of text, a job's or a hand hold.
 * Returns whose the reason is.
 */
export function assertPitstopReason(node: string, reason: string): string | 'hand' {
  const owner = drainOwner(reason);
  const said = reason.replace(/^\s*pitstop( job-[0-9a-f]{16})?:/, '').trim();
  if (owner === undefined || said === '') {
    throw new SlurmError(
      `${node}: the reason must start with "pitstop:" or "pitstop <job-id>:" and say why (got ${JSON.stringify(reason)}); nothing was run`,
      node,
    );
  }
  const controlCharacter = [...reason].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (controlCharacter || reason.length > MAX_REASON_LENGTH) {
    throw new SlurmError(
      `${node}: the reason must be one line of at most ${MAX_REASON_LENGTH} characters; nothing was run`,
      node,
    );
  }
  return owner;
}

/**
 * Why the node belongs to someone other than `owner` right now (null when it does not): it is
 * out of service and its reason is not `owner`'s (a job id, or `hand` for an operator's hold
 * through Pitstop), or it has none. Pitstop never overwrites or clears such a reason.
 */
export function heldByOther(status: NodeStatus, owner: string | 'hand'): string | null {
  if (!isOutOfService(status) || drainOwner(status.reason) === owner) return null;
  return holderOf(status);
}
