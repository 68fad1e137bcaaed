import type { NodeStatus, SlurmJob } from '../domain/node.js';
import { drainOwner, isOutOfService, releaseByHand } from '../domain/node.js';
import type { Reservation } from '../domain/reservation.js';
import type { PollSettings } from '../poll.js';
import type {
  Clock,
  Cluster,
  DrainMode,
  DrainOptions,
  DrainProgress,
  DrainResult,
  ResumeOptions,
  ResumeResult,
  WaitOptions,
} from '../ports.js';
import type { SlurmBackend } from './backend.js';
import { validNodeName } from './node-name.js';
import { assertPitstopReason, heldByOther } from './ownership.js';
import { DEFAULT_POLL, waitUntilBack, waitUntilDrained } from './waits.js';

/**
 * The Cluster port: Pitstop's rules (names checked first, reasons ours, never resuming or
 * overwriting someone else's drain) and its waits, over real Slurm or the simulator.
 */
export class SlurmCluster implements Cluster {
  private readonly poll: PollSettings;

  constructor(
    private readonly backend: SlurmBackend,
    private readonly clock: Clock,
    poll: Partial<PollSettings> = {},
  ) {
    this.poll = { ...DEFAULT_POLL, ...poll };
  }

  async status(node: string): Promise<NodeStatus> {
    const [status] = await this.backend.showNodes(validNodeName(node));
    return status!;
  }

  listNodes(): Promise<NodeStatus[]> {
    return this.backend.showNodes();
  }

  reservations(): Promise<Reservation[]> {
    return this.backend.showReservations();
  }

  slurmJobsOn(node: string): Promise<SlurmJob[]> {
    return this.backend.slurmJobsOn(validNodeName(node));
  }

  async drain(node: string, reason: string, options: DrainOptions = {}): Promise<DrainResult> {
    validNodeName(node);
    const owner = assertPitstopReason(node, reason);
    // Draining would replace their reason with ours, and later let Pitstop resume their node.
    // Slurm has no compare-and-set: the window for someone else's drain is this one round trip.
    const status = await this.status(node);
    const handedOver = options.from !== undefined && drainOwner(status.reason) === options.from;
    const other = handedOver ? null : heldByOther(status, owner);
    if (other)
      return { ours: false, why: `${other}: it stays out with that reason, and this job will not resume it` };
    await this.backend.updateNode(node, { state: 'DRAIN', reason });
    return { ours: true };
  }

  waitDrained(
    node: string,
    options: WaitOptions & { onDrainProgress?: (p: DrainProgress) => void },
  ): Promise<NodeStatus> {
    return waitUntilDrained(this, this.clock, this.poll, validNodeName(node), options);
  }

  async resume(node: string, options: ResumeOptions = {}): Promise<ResumeResult> {
    const status = await this.status(node);
    if (!isOutOfService(status)) {
      return {
        resumed: false,
        why: `${node} is not drained or down (state ${status.state}): nothing to resume`,
      };
    }
    const other = heldByOther(status, options.owner ?? 'hand');
    if (other && !options.force) {
      const how = options.owner ? releaseByHand(status) : `pitstop node resume ${node} --force`;
      return {
        resumed: false,
        why: `${other}: it stays out of service. Once that reason is settled, resume it by hand: ${how}`,
      };
    }
    await this.backend.updateNode(node, { state: 'RESUME' });
    return { resumed: true };
  }

  /**
   * DRAIN keeps the node out through reboots; DOWN does not where slurm.conf has
   * ReturnToService=2 (a DOWN node that registers returns to service, as on the test cluster).
   */
  async markFailed(node: string, reason: string, mode: DrainMode): Promise<DrainResult> {
    validNodeName(node);
    const owner = assertPitstopReason(node, reason);
    // Already out with anyone else's reason: it stays out, and their reason tells the story.
    const other = heldByOther(await this.status(node), owner);
    if (other) return { ours: false, why: `${other}: it stays out with their reason` };
    await this.backend.updateNode(node, { state: mode, reason });
    return { ours: true };
  }

  waitBack(node: string, since: Date, options: WaitOptions): Promise<NodeStatus> {
    return waitUntilBack(this, this.clock, this.poll, validNodeName(node), since, options);
  }
}
