import { userInfo } from 'node:os';
import type { z } from 'zod';
import { requestOverSocket } from '../orchestrator/control-socket.js';
import { CliError } from './errors.js';

const CONTROL_TIMEOUT_MS = 15_000;

/** Who asked from the command line, for the audit log, when --by is not given. */
export const cliCaller = () => `cli:${process.env.USER ?? userInfo().username}`;

/**
 * Asks a running `pitstop serve` on its control socket and reads its answer through `reply`;
 * undefined when none listens there. `what` says what did not happen when it fails ("nothing was
 * decided").
 */
export async function askServe<R extends z.ZodType>(
  socket: string,
  path: string,
  body: unknown,
  reply: R,
  what: string,
): Promise<z.output<R> | undefined> {
  let response: { status: number; body: string };
  try {
    response = await requestOverSocket(
      socket,
      path,
      JSON.stringify(body),
      { 'content-type': 'application/json' },
      CONTROL_TIMEOUT_MS,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No socket, or one a crashed serve left: nobody is listening, so nobody holds the state.
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
    const hint =
      code === 'EACCES'
        ? 'Run it as the user that runs pitstop serve (the socket is theirs alone).'
        : 'Check that pitstop serve is running.';
    throw new CliError(
      `pitstop serve's control socket ${socket} did not answer (${(error as Error).message}); ${what}. ${hint}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const parsed = reply.safeParse(json);
  if (!parsed.success) {
    throw new CliError(`${socket} answered ${response.status} but not as pitstop serve; ${what}`);
  }
  return parsed.data;
}
