import { flagOf, linesOf, numberOf, type Parser, unreadable } from './common.js';
import { evaluateGpus } from './gpu-checks.js';
import { GpuFacts, GpuReport } from './gpu-facts.js';
import { driverFailures } from './nvidia-smi-errors.js';

/**
 * The two short nvidia-smi outputs operators paste most: `nvidia-smi -L` (one line per GPU) and
 * the default table (per GPU: persistence mode and the volatile uncorrectable ECC count).
 */
const LIST_LINE = /^GPU (\d+): (.+?) \(UUID: /;
// |   0  NVIDIA H100 80GB HBM3          On  |   00000000:00:09.0 Off |                    0 |
const TABLE_ROW =
  /^\|\s+(\d+)\s+(.+?)\s+(On|Off)\s+\|\s+([0-9A-Fa-f]+:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f])\s+\S+\s+\|\s+(\S+)\s+\|/;

function read(text: string, line: RegExp, facts: (m: RegExpMatchArray) => object): GpuReport | undefined {
  const matches = linesOf(text).flatMap((l) => {
    const m = l.match(line);
    return m ? [m] : [];
  });
  if (matches.length === 0) return undefined;
  const gpus = matches.map((m) => GpuFacts.parse(facts(m)));
  return GpuReport.parse({ attachedGpus: gpus.length, gpus, complete: false });
}

function parserFor(
  check: string,
  line: RegExp,
  facts: (m: RegExpMatchArray) => object,
  what: string,
): Parser {
  return (text, options) => {
    const failures = driverFailures(text);
    const report = read(text, line, facts);
    if (report === undefined) return failures.length > 0 ? failures : [unreadable(check, `no ${what}`)];
    return [...failures, ...evaluateGpus(report, options)];
  };
}

export const parseNvidiaSmiList = parserFor(
  'nvidia-smi-list',
  LIST_LINE,
  (m) => ({ id: m[1], product: m[2] }),
  '"GPU n: <name> (UUID: …)" line',
);

export const parseNvidiaSmiTable = parserFor(
  'nvidia-smi-table',
  TABLE_ROW,
  (m) => {
    const ecc = numberOf(m[5]);
    return {
      id: m[4],
      product: m[2],
      persistenceMode: flagOf(m[3]),
      ...(ecc === undefined ? {} : { volatileUncorrectable: ecc }),
    };
  },
  'GPU row in the table',
);
