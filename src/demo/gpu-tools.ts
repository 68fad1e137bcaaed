import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalTransport } from '../health/transports/local.js';
import { quoteForShell } from '../health/transports/ssh.js';
import type { CommandOutput, RemoteCommand, RunOptions, Transport } from '../health/transports/transport.js';
import type { HealthTarget } from '../ports.js';

/** Real GPU tool outputs shipped with the demo (see gpu-outputs/SOURCES.md). */
const OUTPUTS = join(import.meta.dirname, 'gpu-outputs');

/** What each tool prints, by its arguments, on a node in good health. */
const HEALTHY: Record<string, Record<string, string>> = {
  'nvidia-smi': {
    '-q': 'q_h100-80gb_8gpu_drv535_healthy.txt',
    'nvlink -s': 'nvlink-s_a100-sxm4-80gb_8gpu_good.txt',
  },
  dmesg: { '--time-format iso': 'clean_h100-hgx-boot_driver550_decode-iso.txt' },
  dcgmi: { 'diag -r 1 -j': 'diag-j_dcgm3.1.0_8gpu_all-pass_warning-prefix-and-nulls.txt' },
};

/** A node whose GPUs came back with a row remap pending (Xid 63). */
const FAILING: typeof HEALTHY = {
  ...HEALTHY,
  'nvidia-smi': {
    ...HEALTHY['nvidia-smi'],
    '-q': 'q-excerpt_a100-80gb_8gpu_remapped-rows-pending_dram-ce177.txt',
  },
  dmesg: { '--time-format iso': 'xid63_row-remapper_single-line.txt' },
};

/**
 * A stand-in program (sh) that prints a file for exactly the arguments the real tool gets, and
 * exits with its status; any other arguments are an error that names them. The demo's GPU tools
 * and the health tests' are both made with it (these machines have no GPU).
 */
export function standInScript(tool: string, cases: Record<string, { file: string; code?: number }>): string {
  const arms = Object.entries(cases).map(
    ([args, { file, code }]) => `  ${quoteForShell(args)}) cat ${quoteForShell(file)}; exit ${code ?? 0} ;;`,
  );
  return [
    '#!/bin/sh',
    'case "$*" in',
    ...arms,
    `  *) echo "${tool} stand-in: no output for: $*" >&2; exit 2 ;;`,
    'esac',
    '',
  ].join('\n');
}

/**
 * Stand-in `nvidia-smi`, `dmesg` and `dcgmi` for each node, in `dir/<node>/`, and the local
 * transport that runs a node's checks with its own stand-ins first on the PATH.
 */
export async function demoGpuTools(
  dir: string,
  nodes: readonly string[],
  failing: readonly string[],
): Promise<Transport> {
  const transports = new Map<string, LocalTransport>();
  for (const node of nodes) {
    const bin = join(dir, node);
    await mkdir(bin, { recursive: true });
    for (const [tool, cases] of Object.entries(failing.includes(node) ? FAILING : HEALTHY)) {
      const file = join(bin, tool);
      const outputs = Object.entries(cases).map(([args, name]) => [args, { file: join(OUTPUTS, name) }]);
      await writeFile(file, standInScript(tool, Object.fromEntries(outputs)));
      await chmod(file, 0o755);
    }
    transports.set(node, new LocalTransport({ PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` }));
  }
  return new PerNodeTransport(transports);
}

/** The local transport of the target's node: each simulated node answers with its own outputs. */
class PerNodeTransport implements Transport {
  readonly name = 'local';
  readonly compact = false;

  constructor(private readonly nodes: ReadonlyMap<string, LocalTransport>) {}

  async probe(target: HealthTarget, options: RunOptions): Promise<void> {
    await this.of(target).probe();
    options.signal?.throwIfAborted();
  }

  run(target: HealthTarget, command: RemoteCommand, options: RunOptions): Promise<CommandOutput> {
    return this.of(target).run(target, command, options);
  }

  private of(target: HealthTarget): LocalTransport {
    const transport = this.nodes.get(target.node);
    if (!transport) throw new Error(`demo: ${target.node} is not a node of the demo cluster`);
    return transport;
  }
}
