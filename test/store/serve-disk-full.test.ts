/**
 * `pitstop serve` (the built CLI as a process) when its disk fills up mid-run: the write that
 * fails stops serve with exit 1 and a line that says the disk is full and where; after space is
 * freed the next serve starts clean on what was saved.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/job-store.js';
import { event, type Harness, instance, startHarness, TENANCY } from '../oci/sim-fixture.js';
import { freePort } from '../support/free-port.js';
import { missingTool } from '../support/system-tools.js';
import { fillUp, mountTmpfs, type Tmpfs, tmpfsMissing } from '../support/tmpfs.js';
import { auditMatchesState, auditOf } from './audit-invariants.js';

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
const EVENT = event('diskfull1');

/** The first line `child` prints that matches `pattern`; fails, with all it printed, if it exits first. */
function lineOf(child: ResultPromise, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!pattern.test(line)) return;
      lines.close();
      resolve(line);
    });
    void child.then(({ exitCode, stdout, stderr }) =>
      reject(new Error(`test: serve exited (${exitCode}) before printing ${pattern}\n${stdout}\n${stderr}`)),
    );
  });
}

describe.skipIf(missingTool(tmpfsMissing()))('pitstop serve on a disk that fills up', () => {
  let disk: Tmpfs;
  let oci: Harness;
  let env: Record<string, string>;
  let stateFile: string;

  beforeAll(async () => {
    disk = await mountTmpfs(1024 * 1024);
    oci = await startHarness({
      tenancy: { id: TENANCY },
      instances: [
        {
          id: instance('diskfull1'),
          compartmentId: TENANCY,
          displayName: 'gpu-1',
          shape: 'BM.GPU.H100.8',
          privateIp: '10.0.0.9',
        },
      ],
      events: [
        {
          id: EVENT,
          instanceId: instance('diskfull1'),
          timeWindowStart: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    });
    stateFile = join(disk.dir, 'pitstop', 'state.json');
    env = {
      OCI_ENDPOINT: oci.sim.endpoint,
      OCI_CONFIG_FILE: oci.configFile,
      STATE_FILE: stateFile,
      PORT: String(await freePort()),
      // Slurm plays no part here: the event's job waits for a decision, unmapped.
      SLURM_BIN_DIR: join(disk.dir, 'no-slurm'),
      DISCOVERY_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await oci?.sim.stop();
    await disk?.unmount();
  });

  const jobOf = async () => Object.values((await JobStore.read(stateFile)).jobs)[0];
  const serveProcess = () => execa('node', [bin, 'serve'], { reject: false, env });

  it('exits 1 saying the disk is full and where when a write fails, after answering the caller why; the next serve after space is freed starts clean', async () => {
    const serve = serveProcess();
    await lineOf(serve, new RegExp(`"notify":"announce".*${EVENT}`));
    expect((await jobOf())?.eventId).toBe(EVENT);

    const filler = await fillUp(disk.dir);
    const deny = await execa('node', [bin, 'deny', EVENT, '--reason', 'disk test'], { reject: false, env });
    // The decision's caller hears why before serve stops.
    expect(deny.exitCode).toBe(1);
    expect(deny.stderr).toMatch(
      new RegExp(`^pitstop: deny ${EVENT}: .*: the disk is full \\(ENOSPC\\); the change was not saved`),
    );
    const result = await serve;
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `${join(disk.dir, 'pitstop')}/[^:]+: the disk is full \\(ENOSPC\\).*pitstop stops now \\(exit 1\\)`,
      ),
    );

    // The job is where its last saved step left it, and the next serve takes it from there.
    rmSync(filler);
    expect((await jobOf())?.phase).toBe('awaiting_approval');
    const again = serveProcess();
    try {
      await lineOf(again, /listening on/);
      const denied = await execa('node', [bin, 'deny', EVENT, '--reason', 'disk test'], {
        reject: false,
        env,
      });
      expect(denied.stdout).toMatch(new RegExp(`^denied ${EVENT}`));
    } finally {
      again.kill('SIGTERM');
    }
    expect((await again).exitCode).toBe(0);
    expect(
      auditMatchesState(await JobStore.read(stateFile), auditOf(join(disk.dir, 'pitstop', 'audit.jsonl'))),
    ).toEqual([]);
  }, 180_000);
});
