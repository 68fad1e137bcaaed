import { execa } from 'execa';
import type { HealthTarget } from '../../ports.js';
import {
  type CommandOutput,
  type RemoteCommand,
  type RunOptions,
  type Transport,
  TransportError,
} from './transport.js';

/**
 * Runs the checks on this machine: for the demo and for tests, where the "node" is the machine
 * Pitstop runs on. `env` lets them put stand-in GPU tools first on the PATH.
 */
export class LocalTransport implements Transport {
  readonly name = 'local';
  readonly compact = false;

  constructor(private readonly env: Record<string, string> = {}) {}

  async probe(): Promise<void> {}

  async run(target: HealthTarget, command: RemoteCommand, options: RunOptions): Promise<CommandOutput> {
    const [program, ...args] = command.argv;
    if (program === undefined) throw new TransportError('unsupported', target.node, 'empty command');
    const subprocess = execa(program, args, {
      reject: false,
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      env: this.env,
      stdin: 'ignore',
      encoding: 'utf8',
      // Its own process group, so a timeout reaches everything the tool started.
      detached: true,
    });
    // A script's child that keeps the output open would hold the check past HEALTH_TIMEOUT after
    // the tool itself was killed: once execa kills the tool, the rest of its group goes too.
    subprocess.once('exit', () => {
      if (subprocess.killed && subprocess.pid !== undefined) killGroup(subprocess.pid);
    });
    const result = await subprocess;
    if (result.isCanceled) throw options.signal?.reason ?? new Error('cancelled');
    if (result.timedOut) {
      throw new TransportError(
        'timeout',
        target.node,
        `"${command.argv.join(' ')}" took longer than ${options.timeoutMs} ms`,
      );
    }
    // A missing program is the node's answer (exit 127 in a shell), not a transport failure.
    if (result.exitCode === undefined) return { exitCode: 127, stdout: '', stderr: `${program}: not found` };
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of the group is left.
  }
}
