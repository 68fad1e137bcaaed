import { linesOf, type Parser, unreadable } from './common.js';
import { type GpuLinks, judgeCounters, judgeLinks, type Link, type LinkCounter } from './nvlink-checks.js';

// Key: Up=U, Down=D, Disabled=X, Not Supported=_
const STATES: Record<string, Link['state']> = { U: 'up', D: 'down', X: 'disabled', _: 'unsupported' };

function readStatus(lines: string[]): GpuLinks[] {
  const gpus: GpuLinks[] = [];
  let current: GpuLinks | undefined;
  for (const line of lines) {
    if (/^NvSwitches:/.test(line)) break;
    const gpu = /^\s*gpuId (\d+):/.exec(line);
    if (gpu) {
      current = { gpu: gpu[1]!, links: [] };
      gpus.push(current);
    } else if (current && /^\s*[UDX_](\s+[UDX_])*\s*$/.test(line)) {
      current.links = line
        .trim()
        .split(/\s+/)
        .map((s, index) => ({ index, state: STATES[s]! }));
    }
  }
  return gpus;
}

function readCounters(lines: string[]): LinkCounter[] {
  const counters: LinkCounter[] = [];
  let gpu: string | undefined;
  let link: number | undefined;
  for (const line of lines) {
    gpu = /^\|\s*GPU (\d+)\s/.exec(line)?.[1] ?? gpu;
    const linkRow = /^\|\s*Link (\d+)\s/.exec(line);
    if (linkRow) link = Number(linkRow[1]);
    const counter = /^\|\s*->\s*(.+?)\s*\|\s*(\d+)\s*\|/.exec(line);
    if (counter && gpu !== undefined && link !== undefined) {
      counters.push({ gpu, link, counter: counter[1]!, value: Number(counter[2]) });
    }
  }
  return counters;
}

/** `dcgmi nvlink -s` (link state per GPU) or `dcgmi nvlink -e -g N` (error counters). */
export const parseDcgmiNvlink: Parser = (text, options) => {
  const lines = linesOf(text);
  const counters = readCounters(lines);
  if (counters.length > 0) return judgeCounters(counters);
  const gpus = readStatus(lines);
  if (gpus.some((g) => g.links.length > 0)) return judgeLinks(gpus, options);
  return [
    unreadable('nvlink-status', 'neither a "gpuId n:" link-state list nor an NVLINK Error Counts table'),
  ];
};
