import { linesOf, type Parser, unreadable } from './common.js';
import { driverFailures } from './nvidia-smi-errors.js';
import { type GpuLinks, judgeCounters, judgeLinks, type LinkCounter } from './nvlink-checks.js';

const GPU_LINE = /^GPU (\d+): .*\(UUID: [^)]*\)/;
const STATUS_LINE = /^\s*Link (\d+): (?:(\d+(?:\.\d+)?) GB\/s|<inactive>)\s*$/;
const COUNTER_LINE = /^\s*Link (\d+): ([A-Za-z ]+?): (\d+)\s*$/;
const ALL_INACTIVE = /all links are inactive/i;

/** `nvidia-smi nvlink -s` (status and speed) or `-e` (error counters), told apart by content. */
export const parseNvidiaSmiNvlink: Parser = (text, options) => {
  const failures = driverFailures(text);
  const gpus: GpuLinks[] = [];
  const counters: LinkCounter[] = [];
  for (const line of linesOf(text)) {
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ gpu: gpu[1]!, links: [] });
      continue;
    }
    const current = gpus[gpus.length - 1];
    if (current === undefined) continue;
    if (ALL_INACTIVE.test(line)) current.allInactive = true;
    const status = STATUS_LINE.exec(line);
    if (status) {
      const gbps = status[2] === undefined ? undefined : Number(status[2]);
      current.links.push({ index: Number(status[1]), state: gbps === undefined ? 'down' : 'up', gbps });
    }
    const counter = COUNTER_LINE.exec(line);
    if (counter) {
      counters.push({
        gpu: current.gpu,
        link: Number(counter[1]),
        counter: counter[2]!,
        value: Number(counter[3]),
      });
    }
  }
  if (counters.length > 0) return [...failures, ...judgeCounters(counters)];
  if (gpus.some((g) => g.links.length > 0 || g.allInactive))
    return [...failures, ...judgeLinks(gpus, options)];
  return failures.length > 0 ? failures : [unreadable('nvlink-status', 'no "GPU n:" line followed by links')];
};
