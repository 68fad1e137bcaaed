import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import type { SshSettings } from '../../src/health/transports/ssh.js';
import { freePort } from './free-port.js';

export const SSHD = '/usr/sbin/sshd';

/** Null when the ssh tests can run, else what is missing (for `missingTool`). */
export function sshdMissing(): string | null {
  const present = existsSync(SSHD) && existsSync('/usr/bin/ssh') && existsSync('/usr/bin/ssh-keygen');
  return present
    ? null
    : `${SSHD}, ssh or ssh-keygen is missing: apt-get install -y openssh-server openssh-client`;
}

export interface RunningSshd {
  port: number;
  /** Settings for SshTransport that reach this sshd as the current user. */
  ssh: SshSettings;
  stop(): Promise<void>;
}

async function waitListening(port: number, process: ResultPromise, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (process.exitCode !== null || Date.now() > deadline) {
      throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    }
    await delay(50);
  }
}

/**
 * A real OpenSSH server on 127.0.0.1 with a throw-away host key and user key, letting in only
 * the current user with that key. Sessions get `path` as their PATH (the GPU stand-ins).
 */
export async function startSshd(path: string): Promise<RunningSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'pitstop-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  for (const key of [hostKey, userKey]) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pitstop-test', '-f', key]);
  }
  const publicKey = (await readFile(`${userKey}.pub`, 'utf8')).trim();
  await writeFile(join(dir, 'authorized_keys'), `environment="PATH=${path}" ${publicKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const user = userInfo().username;
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${user}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp directory is not owned the way StrictModes wants it.
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PermitUserEnvironment PATH',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // Debian's sshd refuses to start as root without its privilege separation directory.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const sshd = execa(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { reject: false, stdin: 'ignore' });
  try {
    await waitListening(port, sshd, 10_000);
  } catch (error) {
    sshd.kill();
    const { stderr } = await sshd;
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  return {
    port,
    ssh: {
      user,
      key: userKey,
      port,
      connectTimeoutMs: 5_000,
      configFile: '/dev/null',
      knownHostsFile: join(dir, 'known_hosts'),
    },
    async stop() {
      sshd.kill('SIGTERM');
      await sshd;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A host that never answers: it accepts TCP connections and then says nothing, the way a
 * wedged node or a half-open firewall does. (A closed port would fail fast; this must hang.)
 */
export async function silentHost(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
