import { NodeStatus } from '../../domain/node.js';
import { gpusFromGres, gpusFromTres } from './gres.js';
import { parseNodeState } from './node-state.js';
import { parseSlurmTime } from './slurm-time.js';

/** What scontrol prints for "no value". */
const EMPTY_VALUES = new Set(['', '(null)', 'N/A', 'None', 'Unknown', 'n/s']);

/**
 * A reason holds any text (spaces, `=`), so it is cut out before the line is split into
 * Key=Value: Slurm ends it with `[user@time]`.
 */
const REASON = /(?:^|\s)Reason=(.*?)\s*\[([^\]\s@]+)@([^\]\s]+)\]/;
const KEY = /(?:^|\s)([A-Za-z][A-Za-z0-9_]*)=/g;

export function fieldsOf(record: string): Map<string, string> {
  const fields = new Map<string, string>();
  let rest = record;
  const reason = REASON.exec(rest);
  if (reason) {
    fields.set('Reason', reason[1]!.trim());
    fields.set('ReasonUser', reason[2]!);
    fields.set('ReasonTime', reason[3]!);
    rest = rest.slice(0, reason.index) + rest.slice(reason.index + reason[0].length);
  }
  const keys = [...rest.matchAll(KEY)];
  keys.forEach((match, i) => {
    const start = match.index + match[0].length;
    const end = keys[i + 1]?.index ?? rest.length;
    if (!fields.has(match[1]!)) fields.set(match[1]!, rest.slice(start, end).trim());
  });
  return fields;
}

export function value(fields: Map<string, string>, key: string): string | undefined {
  const text = fields.get(key);
  return text === undefined || EMPTY_VALUES.has(text) ? undefined : text;
}

function toStatus(fields: Map<string, string>): NodeStatus {
  const state = parseNodeState(fields.get('State') ?? '');
  const gres = gpusFromGres(value(fields, 'Gres'));
  return NodeStatus.parse({
    name: fields.get('NodeName'),
    ...state,
    reason: value(fields, 'Reason'),
    reasonUser: value(fields, 'ReasonUser'),
    reasonTime: parseSlurmTime(value(fields, 'ReasonTime')),
    gpus: gpusFromTres(value(fields, 'CfgTRES')) ?? gres.count,
    gpuType: gres.type,
    partitions: (value(fields, 'Partitions') ?? '').split(',').filter(Boolean),
    address: value(fields, 'NodeAddr'),
    hostname: value(fields, 'NodeHostName'),
    slurmdStartTime: parseSlurmTime(value(fields, 'SlurmdStartTime')),
    bootTime: parseSlurmTime(value(fields, 'BootTime')),
  });
}

/**
 * `scontrol show node -o` (one node per line) or its multi-line form (nodes separated by a
 * blank line). Throws, naming the record, when a node lacks NodeName or State.
 */
export function parseScontrolNodes(text: string): NodeStatus[] {
  const oneLine = !/\n[ \t]+\S/.test(text);
  const records = (oneLine ? text.split('\n') : text.split(/\n\s*\n/))
    .map((record) => record.replace(/\s*\n\s*/g, ' ').trim())
    .filter((record) => record.startsWith('NodeName='));
  return records.map((record) => {
    try {
      return toStatus(fieldsOf(record));
    } catch (error) {
      throw new Error(
        `cannot read scontrol's node record "${record.slice(0, 60)}…": ${(error as Error).message}`,
      );
    }
  });
}
