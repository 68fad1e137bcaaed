import { execa } from 'execa';
import type { HealthTarget } from '../../ports.js';
import {
  type CommandOutput,
  type RemoteCommand,
  type RunOptions,
  type Transport,
  TransportError,
} from './transport.js';

export interface SshSettings {
  user?: string;
  key?: string;
  port?: number;
  proxyJump?: string;
  connectTimeoutMs: number;
  /** An ssh_config to use instead of ~/.ssh/config (tests isolate themselves with it). */
  configFile?: string;
  knownHostsFile?: string;
  /** The ssh program; the system OpenSSH client by default. */
  program?: string;
}

/** ssh exits 255 when it could not connect or authenticate; anything else is the command's. */
const SSH_FAILED = 255;

/**
 * ssh joins the remote arguments into one string for the remote shell, so each is quoted
 * for a POSIX shell: the remote side runs exactly these arguments, whatever they contain.
 */
export const quoteForShell = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;

export function sshArguments(settings: SshSettings, host: string, argv: readonly string[]): string[] {
  const args = [
    ...(settings.configFile ? ['-F', settings.configFile] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.ceil(settings.connectTimeoutMs / 1000))}`,
    // A node that stops answering mid-command is noticed within 45 s, not at the TCP timeout.
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    // Host keys are trusted on first use and checked afterwards; a changed key still fails.
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    'LogLevel=ERROR',
    ...(settings.knownHostsFile ? ['-o', `UserKnownHostsFile=${settings.knownHostsFile}`] : []),
    ...(settings.user ? ['-l', settings.user] : []),
    ...(settings.key ? ['-i', settings.key, '-o', 'IdentitiesOnly=yes'] : []),
    ...(settings.port ? ['-p', String(settings.port)] : []),
    ...(settings.proxyJump ? ['-J', settings.proxyJump] : []),
  ];
  return [...args, '--', host, ...argv.map(quoteForShell)];
}

/** Runs the checks over the system OpenSSH client (so ~/.ssh/config, agents and jump hosts work). */
export class SshTransport implements Transport {
  readonly name = 'ssh';
  readonly compact = false;

  constructor(private readonly settings: SshSettings) {}

  async probe(target: HealthTarget, options: RunOptions): Promise<void> {
    await this.run(target, { argv: ['true'] }, options);
  }

  async run(target: HealthTarget, command: RemoteCommand, options: RunOptions): Promise<CommandOutput> {
    const host = target.address ?? target.node;
    const args = sshArguments(this.settings, host, command.argv);
    const result = await execa(this.settings.program ?? 'ssh', args, {
      reject: false,
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      stdin: 'ignore',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const what = command.argv.join(' ');
    if (result.isCanceled) throw options.signal?.reason ?? new Error('cancelled');
    if (result.timedOut) {
      throw new TransportError(
        'timeout',
        target.node,
        `ssh ${host} "${what}" took longer than ${options.timeoutMs} ms`,
      );
    }
    if (result.failed && result.exitCode === undefined) {
      throw new TransportError('unreachable', target.node, `cannot run ssh: ${result.shortMessage}`);
    }
    if (result.exitCode === SSH_FAILED) {
      const why = result.stderr.trim().split('\n').pop() || 'ssh failed';
      throw new TransportError(
        'unreachable',
        target.node,
        `ssh to ${host} failed: ${why} (check the host is up, SSH_USER, SSH_KEY and SSH_PROXY_JUMP)`,
      );
    }
    return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  }
}
