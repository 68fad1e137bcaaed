import { describe, expect, it } from 'vitest';
import { CloudError } from '../src/oci/errors.js';
import { type Look, pollUntil, WaitTimeoutError } from '../src/poll.js';
import { ManualClock } from '../src/sim/clock.js';
import { SlurmError, SlurmUnreachableError, SlurmWaitError, UnknownNodeError } from '../src/slurm/errors.js';

const START = new Date('2026-03-01T00:00:00.000Z');
const POLL = { initialMs: 1_000, maxMs: 8_000, progressEveryMs: 60 * 60_000 };

/** A wait of one hour over looks that answer, in turn, as `script` says (the last one repeats). */
async function wait(script: (() => Look<string>)[], hours = 1) {
  const clock = new ManualClock(START, true);
  const said: string[] = [];
  const lookedAt: number[] = [];
  let looks = 0;
  const outcome = await pollUntil(
    clock,
    POLL,
    {
      awaited: 'the thing',
      source: 'OCI',
      onTimeout: 'Do something.',
      deadline: new Date(START.getTime() + hours * 3_600_000),
      onProgress: (line) => said.push(line),
    },
    async () => {
      lookedAt.push(clock.now().getTime() - START.getTime());
      const next = script[Math.min(looks++, script.length - 1)]!;
      return next();
    },
  ).catch((error: unknown) => error as Error);
  return { outcome, said, looks, lookedAt };
}

const waiting = (): Look<string> => ({ waiting: 'still busy' });
const done = (): Look<string> => ({ done: 'finished' });
const throwing = (error: Error) => (): Look<string> => {
  throw error;
};
const unavailable = new CloudError('getThing (thing 1) failed: 503 ServiceUnavailable.', 'getThing', 503);

describe('pollUntil: errors inside a wait', () => {
  it('goes on through errors that can heal, reports the first once and the recovery once', async () => {
    const { outcome, said, looks } = await wait([
      waiting,
      throwing(unavailable),
      throwing(unavailable),
      throwing(unavailable),
      waiting,
      done,
    ]);
    expect(outcome).toBe('finished');
    expect(looks).toBe(6);
    const failures = said.filter((line) => line.includes('503'));
    expect(failures).toEqual([
      expect.stringMatching(
        /^OCI failed while Pitstop waits for the thing: getThing \(thing 1\) failed: 503 ServiceUnavailable\. The wait goes on until 2026-03-01T01:00:00\.000Z/,
      ),
    ]);
    expect(said.filter((line) => line.startsWith('OCI answers again'))).toEqual([
      'OCI answers again after 3 errors (waiting for the thing)',
    ]);
  });

  it('keeps its back-off while the looks fail', async () => {
    const { lookedAt } = await wait([
      throwing(unavailable),
      throwing(unavailable),
      throwing(unavailable),
      done,
    ]);
    expect(lookedAt).toEqual([0, 1_000, 3_000, 7_000]);
  });

  it('gives up at its deadline with the last error in the message', async () => {
    const { outcome, said } = await wait([waiting, throwing(unavailable)]);
    expect(outcome).toBeInstanceOf(WaitTimeoutError);
    expect((outcome as Error).message).toMatch(
      /^gave up waiting for the thing after 1h: the last \d+ looks failed, the last with: getThing \(thing 1\) failed: 503 ServiceUnavailable\. Do something\.$/,
    );
    expect(said.filter((line) => line.includes('503'))).toHaveLength(1);
  });

  it.each([
    ['OCI 401', new CloudError('getThing failed: 401 NotAuthenticated.', 'getThing', 401)],
    ['OCI 404', new CloudError('getThing failed: 404 NotAuthorizedOrNotFound.', 'getThing', 404)],
    ['OCI 400', new CloudError('getThing failed: 400 InvalidParameter.', 'getThing', 400)],
    ['OCI 409 IncorrectState', new CloudError('getThing failed: 409.', 'getThing', 409, 'IncorrectState')],
    ['an unknown Slurm node', new UnknownNodeError('Slurm does not know gpu-9', 'gpu-9')],
    ['a refused Slurm command', new SlurmError('scontrol was not authorized', 'gpu-1')],
    ["a wait's own decision", new SlurmWaitError('someone resumed gpu-1 while Pitstop waited', 'gpu-1')],
    ['an error that does not say', new Error('a bug')],
  ])('ends at once on an error that cannot heal: %s', async (_what, error) => {
    const { outcome, looks, said } = await wait([waiting, throwing(error), done]);
    expect(outcome).toBe(error);
    expect(looks).toBe(2);
    expect(said.some((line) => line.includes('The wait goes on'))).toBe(false);
  });
});

describe('which errors can heal', () => {
  it('OCI: throttling, 5xx and no answer can; every other status and a refusal of our own cannot', () => {
    const status = (code: number) => new CloudError('x', 'op', code).transient;
    expect([429, 500, 502, 503, 504].map(status)).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 409, 412].map(status)).toEqual([false, false, false, false, false]);
    expect(new CloudError('x', 'op', undefined, undefined, undefined, { unanswered: true }).transient).toBe(
      true,
    );
    expect(new CloudError('script too long', 'createInstanceAgentCommand').transient).toBe(false);
  });

  it('Slurm: only a controller that does not answer can', () => {
    expect(new SlurmUnreachableError('no answer').transient).toBe(true);
    expect(new SlurmError('refused').transient).toBe(false);
    expect(new UnknownNodeError('gpu-9').transient).toBe(false);
    expect(new SlurmWaitError('gave up').transient).toBe(false);
  });
});
