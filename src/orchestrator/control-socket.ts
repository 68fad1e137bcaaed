import { chmod, lstat, unlink } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { ConfigError } from '../config.js';

/** sun_path holds 108 bytes on Linux, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Refuses a control socket path the kernel cannot bind, saying what to change. */
export function checkSocketPath(path: string): void {
  const bytes = Buffer.byteLength(path);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return;
  throw new ConfigError([
    `STATE_FILE: the control socket beside it, ${path}, would be ${bytes} bytes long; a Unix socket path may have at most ${MAX_SOCKET_PATH_BYTES}. Shorten STATE_FILE's path (a shorter directory or name).`,
  ]);
}

/**
 * Listens on the Unix socket `path`, readable and writable by this user only (0600 from the
 * start: it is bound under a umask that allows nothing else). A socket file left by a crash is
 * replaced: call this only while holding the state lock, so that file cannot be a live serve's.
 */
export async function listenOnSocket(server: Server, path: string): Promise<void> {
  checkSocketPath(path);
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSocket()) await unlink(path);
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  await chmod(path, 0o600);
}

/** One JSON request over the control socket: its status and body, or the connection error. */
export function requestOverSocket(
  socketPath: string,
  path: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST', headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
