import { z } from 'zod';
import { CheckResult } from '../../domain/verdict.js';
import type { ParseOptions, Parser } from './common.js';
import { parseDcgmiDiagJson } from './dcgmi-diag-json.js';
import { parseDcgmiDiagText } from './dcgmi-diag-text.js';
import { parseDcgmiNvlink } from './dcgmi-nvlink.js';
import { parseDmesg } from './dmesg.js';
import { parseNvidiaSmiCsv } from './nvidia-smi-csv.js';
import { parseNvidiaSmiNvlink } from './nvidia-smi-nvlink.js';
import { parseNvidiaSmiQ } from './nvidia-smi-q.js';
import { parseNvidiaSmiList, parseNvidiaSmiTable } from './nvidia-smi-summary.js';
import { parseNvidiaSmiTopo } from './nvidia-smi-topo.js';
import { parseOciHpc } from './oci-hpc.js';

export type { ParseOptions } from './common.js';

/** Every output format Pitstop reads, by the name `health parse --format` takes. */
const PARSERS = {
  'nvidia-smi-q': parseNvidiaSmiQ,
  'nvidia-smi-nvlink': parseNvidiaSmiNvlink,
  dmesg: parseDmesg,
  'dcgmi-diag-json': parseDcgmiDiagJson,
  'oci-hpc': parseOciHpc,
  'nvidia-smi-query-csv': parseNvidiaSmiCsv,
  'nvidia-smi-list': parseNvidiaSmiList,
  'nvidia-smi-table': parseNvidiaSmiTable,
  'nvidia-smi-topo': parseNvidiaSmiTopo,
  'dcgmi-diag-text': parseDcgmiDiagText,
  'dcgmi-nvlink': parseDcgmiNvlink,
} satisfies Record<string, Parser>;

export const OutputFormat = z.enum(
  Object.keys(PARSERS) as [keyof typeof PARSERS, ...(keyof typeof PARSERS)[]],
);
export type OutputFormat = z.infer<typeof OutputFormat>;

const Results = z.array(CheckResult);

/** Parses one command's output into check results, validated at this border. */
export function parseOutput(format: OutputFormat, text: string, options: ParseOptions = {}): CheckResult[] {
  return Results.parse(PARSERS[format](text, options));
}
