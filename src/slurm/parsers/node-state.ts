import type { DrainState } from '../../domain/node.js';

/** A node state as Slurm prints it, reduced to what Pitstop acts on. */
export interface ParsedNodeState {
  /** scontrol's base state (IDLE, MIXED, DOWN, ...) or, for a sinfo word, its long name (DRAINED, ...). */
  state: string;
  flags: string[];
  drain: DrainState;
  responding: boolean;
}

/** sinfo's one-character suffixes (man sinfo, NODE STATE CODES) as the flags they stand for. */
const SUFFIX_FLAGS: Record<string, string> = {
  '*': 'NOT_RESPONDING',
  '~': 'POWERED_DOWN',
  '#': 'POWERING_UP',
  '!': 'POWER_DOWN',
  '%': 'POWERING_DOWN',
  $: 'MAINTENANCE',
  '@': 'REBOOT_REQUESTED',
  '^': 'REBOOT_ISSUED',
  '-': 'PLANNED',
  // `allocated+` / `mix+`: some Slurm jobs on the node are still completing.
  '+': 'COMPLETING',
};

/** sinfo's compact names (`%t`) as the long ones (`%T`). */
const SHORT_NAMES: Record<string, string> = {
  alloc: 'ALLOCATED',
  comp: 'COMPLETING',
  drain: 'DRAINED',
  drng: 'DRAINING',
  failg: 'FAILING',
  futr: 'FUTURE',
  mix: 'MIXED',
  npc: 'PERFCTRS',
  plnd: 'PLANNED',
  resv: 'RESERVED',
  unk: 'UNKNOWN',
};

const BUSY_STATES = new Set(['ALLOCATED', 'MIXED', 'COMPLETING']);

function drainOf(state: string, flags: string[]): DrainState {
  if (state === 'DRAINED') return 'drained';
  if (state === 'DRAINING') return 'draining';
  if (!flags.includes('DRAIN')) return 'none';
  // Slurm's own rule (what sinfo shows as drng vs drain): drained once no Slurm job is left.
  return BUSY_STATES.has(state) || flags.includes('COMPLETING') ? 'draining' : 'drained';
}

/**
 * Reads scontrol's `IDLE+DRAIN` / `DOWN+DRAIN+NOT_RESPONDING`, sinfo's `drng`, `drain*`,
 * `drained$`, `allocated+`, and the JSON forms once their state list is joined with `+`.
 */
export function parseNodeState(text: string): ParsedNodeState {
  let rest = text.trim().toLowerCase();
  const flags: string[] = [];
  while (rest.length > 1 && SUFFIX_FLAGS[rest.at(-1)!]) {
    flags.unshift(SUFFIX_FLAGS[rest.at(-1)!]!);
    rest = rest.slice(0, -1);
  }
  const words = rest.split('+');
  if (words.length === 0 || !words.every((word) => /^[a-z][a-z_]*$/.test(word))) {
    throw new Error(`not a Slurm node state: ${JSON.stringify(text)}`);
  }
  const [base, ...more] = words;
  const state = SHORT_NAMES[base!] ?? base!.toUpperCase();
  const allFlags = [...new Set([...more.map((word) => word.toUpperCase()), ...flags])];
  return {
    state,
    flags: allFlags,
    drain: drainOf(state, allFlags),
    responding: !allFlags.includes('NOT_RESPONDING'),
  };
}
