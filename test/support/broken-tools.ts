import { join } from 'node:path';
import type { HealthCheckName } from '../../src/domain/health-checks.js';
import { FIXTURES, type GpuStandins } from './gpu-standins.js';

/** One way a stage of a check breaks on the node, and what the verdict must then say. */
export interface BrokenTool {
  name: string;
  check: HealthCheckName;
  tool: string;
  /** The stand-in's sh body: it answers both the full command and the compact script's. */
  body: string;
  reason: RegExp;
}

const fixture = (path: string) => JSON.stringify(join(FIXTURES, path));

/**
 * Every stage failing on its own. Each must give ERROR or FAIL over every transport, never PASS:
 * on today's compact scripts a missing or empty dmesg read as "0 kernel lines read", a PASS.
 */
export const BROKEN_TOOLS: BrokenTool[] = [
  {
    name: 'tool missing',
    check: 'dmesg',
    tool: 'dmesg',
    body: 'exec /nonexistent/dmesg "$@"',
    reason: /dmesg is not installed/,
  },
  {
    name: 'permission refused',
    check: 'dmesg',
    tool: 'dmesg',
    body: 'echo "dmesg: read kernel buffer failed: Operation not permitted" >&2; exit 1',
    reason: /Operation not permitted/,
  },
  {
    name: 'non-zero exit after clean output',
    check: 'dmesg',
    tool: 'dmesg',
    body: `cat ${fixture('dmesg/clean_h100-hgx-boot_driver550_decode-iso.txt')}; echo "dmesg: write error" >&2; exit 3`,
    reason: /exited 3/,
  },
  { name: 'empty output', check: 'dmesg', tool: 'dmesg', body: 'exit 0', reason: /printed nothing/ },
  {
    name: 'output truncated mid-document',
    check: 'nvidia-smi-nvlink',
    tool: 'nvidia-smi',
    body: `case "$1" in
  topo) head -n 4 ${fixture('nvidia-smi/topo-m_h100_8gpu_nv18_spaces.txt')} ;;
  *) head -n 40 ${fixture('nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt')} ;;
esac`,
    reason: /GPU/,
  },
];

export const breakTool = (standins: GpuStandins, broken: BrokenTool) =>
  standins.write(broken.tool, broken.body);
