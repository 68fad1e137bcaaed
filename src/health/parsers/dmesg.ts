import type { CheckResult } from '../../domain/verdict.js';
import { finding, linesOf, orPass, type Parser, plural, unreadable } from './common.js';
import { KERNEL_FAILURES, XID_TABLE } from './xid-table.js';

const XID = /NVRM: Xid \((PCI:[0-9A-Fa-f:.]+)\): (\d+),?\s*(.*)$/;
// dmesg --time-format iso (2024-11-15T12:02:03,470068+00:00) and journalctl -o short-iso.
const ISO_TIME = /(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:[,.]\d+)?(Z|[+-]\d{2}:?\d{2})?/;
const UNREADABLE = /^dmesg: read kernel buffer failed|^No journal files were found/i;
const NO_ENTRIES = /^-- No entries --$/;
/** The compact script's closing line: how many lines dmesg gave it. */
const LINES_READ = /^(\d+) kernel lines read$/;

/**
 * The time a line was logged, when it says so unambiguously. `dmesg -T` prints local time and
 * plain dmesg seconds since boot: such lines are kept whatever `since` says, because a fault we
 * cannot place in time may be this boot's.
 */
function loggedAt(line: string): Date | undefined {
  const m = ISO_TIME.exec(line);
  if (!m) return undefined;
  const zone = m[3] === undefined || m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = new Date(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

interface XidGroup {
  xid: number;
  pci: string;
  count: number;
  first: string;
}

function judgeXid(group: XidGroup): CheckResult {
  const rule = XID_TABLE[group.xid];
  const times = group.count > 1 ? ` (${group.count} times)` : '';
  const message = group.first.length > 160 ? `${group.first.slice(0, 157)}...` : group.first;
  if (rule === undefined) {
    return finding(
      'xid',
      'error',
      `Xid ${group.xid}${times} is not in Pitstop's Xid table, so it cannot tell whether the GPU is sound; look it up in NVIDIA's Xid catalog: ${message}`,
      'none',
      group.pci,
    );
  }
  return finding(
    'xid',
    rule.severity,
    `Xid ${group.xid}${times}: ${rule.name}. ${message}`,
    rule.action,
    group.pci,
  );
}

/** `dmesg` / `journalctl -k` output: NVIDIA Xid events (judged by XID_TABLE) and driver failures. */
export const parseDmesg: Parser = (text, options) => {
  const lines = linesOf(text).filter((l) => l.trim() !== '');
  if (lines.length === 0)
    return [unreadable('xid', 'the kernel log is empty (was dmesg allowed to read it?)')];
  const refused = lines.find((l) => UNREADABLE.test(l));
  if (refused) return [unreadable('xid', refused.trim())];
  // A booted kernel always has logged something: none means dmesg read nothing, not a clean node.
  const read = lines.map((l) => LINES_READ.exec(l.trim())).find(Boolean);
  if (read && Number(read[1]) === 0) {
    return [unreadable('xid', 'dmesg read 0 kernel lines (was it allowed to read the kernel log?)')];
  }

  const groups = new Map<string, XidGroup>();
  const kernel: CheckResult[] = [];
  let considered = 0;
  for (const line of lines) {
    const time = loggedAt(line);
    if (options.since && time && time < options.since) continue;
    if (LINES_READ.test(line.trim())) continue;
    if (!NO_ENTRIES.test(line)) considered++;
    const xid = XID.exec(line);
    if (xid) {
      const key = `${xid[2]}@${xid[1]}`;
      const group = groups.get(key) ?? { xid: Number(xid[2]), pci: xid[1]!, count: 0, first: xid[3]! };
      group.count++;
      groups.set(key, group);
      continue;
    }
    for (const { pattern, detail, action } of KERNEL_FAILURES) {
      if (pattern.test(line)) kernel.push(finding('kernel-log', 'fail', `${detail}: ${line.trim()}`, action));
    }
  }
  const since = options.since ? ` since ${options.since.toISOString()}` : '';
  return [
    ...orPass(
      'xid',
      [...groups.values()].map(judgeXid),
      `no Xid in ${plural(considered, 'kernel line')}${since}`,
    ),
    ...kernel,
  ];
};
