import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standInScript } from '../../src/demo/gpu-tools.js';
import { type HealthSettings, TransportHealthRunner } from '../../src/health/runner.js';
import { LocalTransport } from '../../src/health/transports/local.js';
import type { Clock, Cluster } from '../../src/ports.js';

export const FIXTURES = join(import.meta.dirname, '../fixtures');

/**
 * A directory of stand-in `nvidia-smi`, `dcgmi` and `dmesg` programs that print fixture files:
 * the only stand-ins the health tests use, because these machines have no GPU. Each answers by
 * its arguments, the way the real tool would.
 */
export interface GpuStandins {
  dir: string;
  /** PATH with the stand-ins first. */
  path: string;
  /** Replaces one tool with a script body (sh). */
  write(tool: string, body: string): Promise<void>;
  /** Makes a tool print a fixture when called with exactly these arguments, with exit status `code`. */
  answer(tool: string, cases: Record<string, { fixture: string; code?: number }>): Promise<void>;
}

export async function gpuStandins(): Promise<GpuStandins> {
  const dir = await mkdtemp(join(tmpdir(), 'pitstop-gpu-'));
  const standins: GpuStandins = {
    dir,
    path: `${dir}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    async write(tool, body) {
      const file = join(dir, tool);
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
    },
    async answer(tool, cases) {
      const outputs = Object.entries(cases).map(([args, { fixture, code }]) => [
        args,
        { file: join(FIXTURES, fixture), code },
      ]);
      const file = join(dir, tool);
      await writeFile(file, standInScript(tool, Object.fromEntries(outputs)));
      await chmod(file, 0o755);
    },
  };
  return standins;
}

/** The shape whose figures the healthy fixtures show: 8 GPUs, 12 NVLinks each at 25 GB/s. */
export const HEALTHY_SHAPE = 'BM.GPU.A100-v2.8';

/** A node in good health: every check passes. */
export async function healthyNode(standins: GpuStandins): Promise<void> {
  await standins.answer('nvidia-smi', {
    '-q': { fixture: 'nvidia-smi/q_h100-80gb_8gpu_drv535_healthy.txt' },
    'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
  });
  await standins.answer('dmesg', {
    '--time-format iso': { fixture: 'dmesg/clean_h100-hgx-boot_driver550_decode-iso.txt' },
  });
  await standins.answer('dcgmi', {
    'diag -r 1 -j': { fixture: 'dcgmi/diag-j_dcgm3.1.0_8gpu_all-pass_warning-prefix-and-nulls.txt' },
  });
}

/** The checks the healthy fixtures answer. */
export const STANDIN_CHECKS: HealthSettings['checks'] = [
  'nvidia-smi-q',
  'nvidia-smi-nvlink',
  'dmesg',
  'dcgmi-diag',
];

/** The real health runner over the local transport, with the stand-in GPU tools on its PATH. */
export function localHealthRunner(options: {
  standins: GpuStandins;
  cluster: Pick<Cluster, 'waitBack'>;
  clock: Clock;
  timeoutMs: number;
  settings?: Partial<HealthSettings>;
}): TransportHealthRunner {
  return new TransportHealthRunner({
    cluster: options.cluster,
    transport: new LocalTransport({ PATH: options.standins.path }),
    clock: options.clock,
    settings: { checks: STANDIN_CHECKS, dcgmLevel: 1, timeoutMs: options.timeoutMs, ...options.settings },
  });
}
