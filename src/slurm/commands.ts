import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { NodeStatus, SlurmJob } from '../domain/node.js';
import type { Reservation } from '../domain/reservation.js';
import type { Clock } from '../ports.js';
import type { NodeUpdate, SlurmBackend } from './backend.js';
import {
  classifySlurmFailure,
  SlurmError,
  type SlurmFailure,
  SlurmUnreachableError,
  UnknownNodeError,
} from './errors.js';
import { validNodeName } from './node-name.js';
import { parseScontrolNodes } from './parsers/scontrol-node.js';
import { parseScontrolReservations } from './parsers/scontrol-reservation.js';
import { parseSqueue, SQUEUE_FORMAT } from './parsers/squeue.js';

export interface SlurmCommandsOptions {
  /** Directory of scontrol and squeue; PATH when unset. */
  binDir?: string;
  /** SLURM_CONF for the commands; Slurm's default when unset. */
  conf?: string;
  timeoutMs: number;
  clock: Clock;
  /** slurmctld unreachable: tries in all, and the first pause (doubling after). */
  retry?: { attempts: number; initialMs: number };
}

type SlurmCommand = 'scontrol' | 'squeue';

/** Slurm through its commands: execa with argument arrays, a timeout and retries on each call. */
export class SlurmCommands implements SlurmBackend {
  private readonly retry: { attempts: number; initialMs: number };

  constructor(private readonly options: SlurmCommandsOptions) {
    this.retry = options.retry ?? { attempts: 4, initialMs: 2_000 };
  }

  async showNodes(node?: string): Promise<NodeStatus[]> {
    const args = ['show', 'node', '-o', ...(node ? [validNodeName(node)] : [])];
    const nodes = parseScontrolNodes(await this.run('scontrol', args, node));
    if (node && !nodes.some((status) => status.name === node)) {
      throw new UnknownNodeError(`Slurm has no node ${node} (scontrol show node printed none)`, node);
    }
    return nodes;
  }

  async slurmJobsOn(node: string): Promise<SlurmJob[]> {
    const args = ['--noheader', '--nodelist', validNodeName(node), '--format', SQUEUE_FORMAT];
    return parseSqueue(await this.run('squeue', args, node));
  }

  async updateNode(node: string, update: NodeUpdate): Promise<void> {
    const args = ['update', `NodeName=${validNodeName(node)}`, `State=${update.state}`];
    if (update.state !== 'RESUME') args.push(`Reason=${update.reason}`);
    await this.run('scontrol', args, node);
  }

  async showReservations(): Promise<Reservation[]> {
    return parseScontrolReservations(await this.run('scontrol', ['show', 'reservation', '-o'], undefined));
  }

  private async run(command: SlurmCommand, args: string[], node: string | undefined): Promise<string> {
    const { binDir, conf, timeoutMs, clock } = this.options;
    const file = binDir ? join(binDir, command) : command;
    const shown = `${command} ${args.join(' ')}`;
    // scontrol itself retries a missing slurm.conf for a minute before it says so.
    if (conf && !existsSync(conf)) {
      throw new SlurmError(
        `${node ? `node ${node}: ` : ''}SLURM_CONF=${conf} does not exist: point it at the cluster's slurm.conf`,
        node,
        shown,
      );
    }
    let pause = this.retry.initialMs;
    for (let attempt = 1; ; attempt++) {
      const result = await execa(file, args, {
        // `standard` keeps every time ISO-like whatever the operator's shell has set.
        env: { SLURM_TIME_FORMAT: 'standard', ...(conf ? { SLURM_CONF: conf } : {}) },
        timeout: timeoutMs,
        reject: false,
        stdin: 'ignore',
      });
      if (!result.failed) return result.stdout;
      if (result.code === 'ENOENT') {
        throw new SlurmError(
          `${file} not found: install slurm-client, or set SLURM_BIN_DIR to where ${command} is`,
          node,
          shown,
        );
      }
      const output = `${result.stderr}\n${result.stdout}`.trim();
      const failure = result.timedOut ? 'unreachable' : classifySlurmFailure(output);
      if (failure === 'unreachable' && attempt < this.retry.attempts) {
        await clock.sleep(pause);
        pause *= 2;
        continue;
      }
      const said = result.timedOut ? `no answer within ${timeoutMs} ms` : output || `exit ${result.exitCode}`;
      throw failureError(failure, { node, shown, said, conf, attempts: attempt });
    }
  }
}

/** The error for a failed command: what happened, to which node, and what to check. */
function failureError(
  failure: SlurmFailure,
  context: {
    node: string | undefined;
    shown: string;
    said: string;
    conf: string | undefined;
    attempts: number;
  },
): SlurmError {
  const { node, shown, said, conf, attempts } = context;
  const about = node ? `node ${node}: ` : '';
  switch (failure) {
    case 'unreachable':
      return new SlurmUnreachableError(
        `${about}\`${shown}\` could not reach slurmctld after ${attempts} attempts (${said}). ` +
          `Check that slurmctld runs and answers \`scontrol ping\`, that SLURM_CONF ` +
          `(${conf ?? 'Slurm default'}) is this cluster's, and that munged runs here.`,
        node,
        shown,
      );
    case 'unknown-node':
      return new UnknownNodeError(
        `${about}Slurm does not know this node (\`${shown}\`: ${said})`,
        node,
        shown,
      );
    case 'config':
      return new SlurmError(
        `${about}\`${shown}\` could not read Slurm's configuration (${said}). Set SLURM_CONF to the cluster's slurm.conf.`,
        node,
        shown,
      );
    case 'auth':
      return new SlurmError(
        `${about}\`${shown}\` was not authorized (${said}). Pitstop needs a Slurm operator or ` +
          `root, and munged with the cluster's key.`,
        node,
        shown,
      );
    default:
      return new SlurmError(`${about}\`${shown}\` failed: ${said}`, node, shown);
  }
}
