import { isOutOfService, isPitstopReason, type NodeStatus, PITSTOP_REASON_PREFIX } from '../domain/node.js';
import { SlurmError } from './errors.js';

/** Reasons go to scontrol as one `Reason=` argument: one line of text, ours by its prefix. */
export function assertPitstopReason(node: string, reason: string): void {
  if (!isPitstopReason(reason) || reason.trim() === PITSTOP_REASON_PREFIX) {
    throw new SlurmError(
      `${node}: the reason must start with "${PITSTOP_REASON_PREFIX}" and say why (got ${JSON.stringify(reason)}); nothing was run`,
      node,
    );
  }
  const controlCharacter = [...reason].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (controlCharacter || reason.length > 400) {
    throw new SlurmError(
      `${node}: the reason must be one line of at most 400 characters; nothing was run`,
      node,
    );
  }
}

/**
 * Why the node belongs to someone else right now (null when it does not): it is out of service
 * and its reason is not Pitstop's, or it has none (we never leave a node out without one).
 * Pitstop never overwrites or clears such a reason.
 */
export function heldByOther(status: NodeStatus): string | null {
  if (!isOutOfService(status) || isPitstopReason(status.reason)) return null;
  const who = status.reasonUser ?? 'someone';
  const when = status.reasonTime ? ` at ${status.reasonTime}` : '';
  const how = status.drain === 'none' ? `is ${status.state}` : `was drained`;
  const why = status.reason === undefined ? 'no reason' : `reason "${status.reason}"`;
  return `${status.name} ${how} by ${who}${when} with ${why}, not by Pitstop`;
}
