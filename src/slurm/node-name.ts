import { NodeName } from '../domain/node.js';
import { SlurmError } from './errors.js';

/** Checked before any command runs: a name is passed to scontrol as `NodeName=<name>`. */
export function validNodeName(node: string): string {
  const result = NodeName.safeParse(node);
  if (!result.success) {
    throw new SlurmError(
      `${JSON.stringify(node)} is not a Slurm node name (${result.error.issues[0]?.message}); nothing was run`,
      node,
    );
  }
  return result.data;
}
