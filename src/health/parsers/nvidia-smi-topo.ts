import { finding, linesOf, orPass, type Parser, plural, unreadable } from './common.js';

const CHECK = 'nvlink-topology';

/**
 * `nvidia-smi topo -m`: on an NVLink node every GPU pair must be joined by NV<k>, with k the
 * shape's links per GPU (or, without a shape, the same k everywhere). A pair over PCIe or a
 * smaller bond means links are missing.
 */
export const parseNvidiaSmiTopo: Parser = (text, options) => {
  const lines = linesOf(text).filter((l) => l.trim() !== '');
  const headerAt = lines.findIndex((l) => /^\s+GPU0\b/.test(l));
  if (headerAt < 0) return [unreadable(CHECK, 'no matrix header starting with GPU0')];
  const columns = lines[headerAt]!.trim().split(/\s+/);
  const gpuColumns = columns.findIndex((c) => !/^GPU\d+$/.test(c));
  const size = gpuColumns < 0 ? columns.length : gpuColumns;
  const rows = lines.slice(headerAt + 1).filter((l) => /^GPU\d+\s/.test(l));
  if (rows.length === 0) return [unreadable(CHECK, 'no GPU rows under the matrix header')];
  const pairs: { a: string; b: string; link: string }[] = [];
  for (const row of rows) {
    const [name, ...cells] = row.trim().split(/\s+/);
    const i = Number(name!.slice(3));
    // Each pair once: the matrix is symmetric.
    cells.slice(0, size).forEach((link, j) => {
      if (j > i) pairs.push({ a: name!, b: `GPU${j}`, link });
    });
  }
  const findings = [];
  const expectedGpus = options.expectGpus ?? options.shape?.gpus;
  if (expectedGpus !== undefined && rows.length !== expectedGpus) {
    findings.push(finding(CHECK, 'fail', `${rows.length} of ${expectedGpus} GPUs in the topology`, 'reboot'));
  }
  const bonds = pairs.map((p) => Number(/^NV(\d+)$/.exec(p.link)?.[1] ?? 0));
  const wanted = options.shape?.nvlinksPerGpu ?? (bonds.some((b) => b > 0) ? Math.max(...bonds) : undefined);
  if (wanted !== undefined) {
    const weak = pairs.filter((_, i) => bonds[i]! < wanted);
    for (const p of weak) {
      findings.push(
        finding(CHECK, 'fail', `${p.a}↔${p.b} joined by ${p.link}, not NV${wanted}`, 'reboot', p.a),
      );
    }
  }
  const how = wanted === undefined ? 'no NVLink expected' : `every pair over NV${wanted}`;
  return orPass(CHECK, findings, `${plural(rows.length, 'GPU')}, ${how}`);
};
