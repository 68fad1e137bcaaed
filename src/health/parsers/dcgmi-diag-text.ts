import type { CheckResult } from '../../domain/verdict.js';
import { finding, linesOf, orPass, type Parser, plural, unreadable } from './common.js';
import { dcgmAction } from './dcgm-actions.js';

const CHECK = 'dcgmi-diag';
const ROW = /^\|\s(.*?)\s*\|(.*)\|?\s*$/;
const CATEGORY = /^[|+]-+\s+(\w[\w ]*?)\s+-+/;
const STATUS_START = /^(Pass|Fail|Warn|Skip)\b/;

interface Row {
  category: string;
  name: string;
  text: string;
}

/**
 * dcgmi wraps long cells at a fixed width, mid-word or at a space; a continuation row has an
 * empty name. Status lines ("Pass - GPUs: 1, 2" / "Fail - GPU: 0") stay separate lines.
 */
function readRows(text: string): Row[] {
  const rows: Row[] = [];
  let category = '';
  for (const line of linesOf(text)) {
    const heading = CATEGORY.exec(line);
    if (heading) {
      category = heading[1]!;
      continue;
    }
    const cells = ROW.exec(line);
    if (!cells) continue;
    const name = cells[1]!.trim();
    const raw = cells[2]!.replace(/\|\s*$/, '');
    const last = rows[rows.length - 1];
    if (name === '' && last) {
      const piece = raw.replace(/^ /, '');
      if (STATUS_START.test(piece.trim())) last.text += `\n${piece.trim()}`;
      else last.text = last.text.trimEnd() + (piece.startsWith(' ') ? ' ' : '') + piece.trim();
      continue;
    }
    if (name === '' || (/^Diagnostic$/.test(name) && /^Result$/.test(raw.trim()))) continue;
    rows.push({ category, name, text: raw.trim() });
  }
  return rows;
}

function judge(row: Row): CheckResult[] {
  const where = row.category ? `${row.category}/${row.name}` : row.name;
  // A row named Error or Warning carries a message about the test above it, not a test.
  if (/^error$/i.test(row.name)) {
    return [
      finding(CHECK, 'fail', `${where}: ${row.text}`, dcgmAction(row.category, row.text), gpuIn(row.text)),
    ];
  }
  if (/^warning$/i.test(row.name))
    return [finding(CHECK, 'warn', `${where}: ${row.text}`, 'none', gpuIn(row.text))];
  return row.text.split('\n').flatMap((line): CheckResult[] => {
    const status = STATUS_START.exec(line)?.[1];
    if (status === 'Fail') {
      return [finding(CHECK, 'fail', `${where}: ${line}`, dcgmAction(row.name, line), gpuIn(line))];
    }
    if (status === 'Warn') return [finding(CHECK, 'warn', `${where}: ${line}`, 'none', gpuIn(line))];
    if (status === undefined) return [finding(CHECK, 'error', `${where}: unknown result "${line}"`)];
    return [];
  });
}

const gpuIn = (text: string) => /GPUs?:?\s*([\d, ]+\d)/.exec(text)?.[1]?.replace(/\s+/g, '');

/** The `dcgmi diag -r N` table (without -j), including excerpts without header or footer. */
export const parseDcgmiDiagText: Parser = (text) => {
  const rows = readRows(text);
  if (rows.length === 0) return [unreadable(CHECK, 'no "| Test | Result |" rows')];
  const findings = rows.flatMap(judge);
  return orPass(CHECK, findings, `${plural(rows.length, 'DCGM test')} passed`);
};
