import type { NodeStatus, SlurmJob } from '../domain/node.js';
import type { Reservation } from '../domain/reservation.js';

export type NodeUpdate = { state: 'DRAIN' | 'DOWN'; reason: string } | { state: 'RESUME' };

/**
 * The few Slurm operations Pitstop needs, as Slurm itself does them (no Pitstop rules): the
 * real commands (SlurmCommands) or the in-memory simulator. SlurmCluster adds the rules and
 * the waits on top, so both sides of the contract suite run the same Pitstop logic.
 */
export interface SlurmBackend {
  /** One node (UnknownNodeError if Slurm has no such node), or every node. */
  showNodes(node?: string): Promise<NodeStatus[]>;
  /** The Slurm jobs running on the node (pending ones hold nothing there). */
  slurmJobsOn(node: string): Promise<SlurmJob[]>;
  updateNode(node: string, update: NodeUpdate): Promise<void>;
  /** Every reservation (`scontrol show reservation`), active or still to come. */
  showReservations(): Promise<Reservation[]>;
}
