import type { HealthCheckName } from '../domain/health-checks.js';
import type { OutputFormat } from './parsers/index.js';
import type { RemoteCommand } from './transports/transport.js';

export interface CheckCommand {
  check: HealthCheckName;
  command: RemoteCommand;
  format: OutputFormat;
  /** How to read the output of `command.compactScript`, when a transport runs that instead. */
  compactFormat?: OutputFormat;
}

/** The facts the compact nvidia-smi query asks for: what fits 8 GPUs into OCI's 1 KB. */
const COMPACT_QUERY = [
  'pci.bus_id',
  'persistence_mode',
  'ecc.errors.uncorrected.volatile.total',
  'remapped_rows.pending',
  'remapped_rows.failure',
  'pcie.link.width.current',
  'pcie.link.width.max',
  'clocks_event_reasons.hw_slowdown',
].join(',');

/**
 * A tool's output shortened by an awk filter, as one script whose exit status is never a later
 * stage's: a tool that is missing, refused or exits non-zero, prints nothing, or whose filter
 * fails ends the script with a non-zero status and, last, a line saying which stage and why
 * (the transport runs it in a subshell, so `exit` ends only this).
 * The tool's stderr is read with its output (refusals are judged; oci-hpc logs there).
 */
function filtered(argv: readonly string[], awk: string): string {
  const tool = argv[0]!;
  return [
    `o=$(${argv.join(' ')} 2>&1); rc=$?`,
    `if [ $rc -ne 0 ]; then echo "${tool} exited $rc: $(printf '%s\\n' "$o" | tail -n 1)"; exit $rc; fi`,
    `if [ -z "$o" ]; then echo "${tool} printed nothing"; exit 1; fi`,
    `printf '%s\\n' "$o" | awk '${awk}' || { echo "awk exited $? reading the output of ${tool}"; exit 1; }`,
  ].join('\n');
}

// The GPU-to-GPU block of `nvidia-smi topo -m` (the NIC and affinity columns are dropped).
const COMPACT_TOPOLOGY = filtered(
  ['nvidia-smi', 'topo', '-m'],
  `{ gsub(/\\033\\[[0-9;]*m/, "") } !n && /GPU0/ { for (i = 1; i <= NF; i++) if ($i ~ /^GPU[0-9]+$/) n++; h = ""; for (i = 1; i <= n; i++) h = h " " $i; print " " h; next } n && /^GPU[0-9]/ { r = $1; for (i = 2; i <= n + 1; i++) r = r " " $i; print r }`,
);

// The LAST line of each distinct Xid per GPU (the parser drops lines before the maintenance, so
// an earlier occurrence must not stand for a later one), cut to 200 characters, and how much
// was read.
const COMPACT_XIDS = filtered(
  ['dmesg', '--time-format', 'iso'],
  `match($0, /NVRM: Xid \\(PCI:[^)]*\\): [0-9]+/) { k = substr($0, RSTART, RLENGTH); if (!(k in last)) order[++n] = k; last[k] = substr($0, 1, 200) } /RmInitAdapter failed|fallen off the bus/ { print substr($0, 1, 200) } END { for (i = 1; i <= n; i++) print last[order[i]]; print NR " kernel lines read" }`,
);

// --dry-run: check only, leave the node's healthcheck files alone, and still print the
// `Healthcheck::` summary lines. The compact form keeps failures, warnings and the closing
// lines, and counts the passes.
const OCI_HPC_SCRIPT = '/opt/oci-hpc/healthchecks/check_gpu_setup.py';
const COMPACT_OCI_HPC = filtered(
  ['python3', OCI_HPC_SCRIPT, '--dry-run'],
  `/ - (ERROR|WARNING|CRITICAL) - |Healthcheck::|Finished / { print substr($0, 1, 200); next } /: Passed$/ { p++ } END { print "0000-00-00 00:00:00,000 - INFO - " p + 0 " checks: Passed" }`,
);

/** What each check runs on the node, and how its output is read. */
export function checkCommand(check: HealthCheckName, dcgmLevel: number): CheckCommand {
  switch (check) {
    case 'nvidia-smi-q':
      return {
        check,
        command: {
          argv: ['nvidia-smi', '-q'],
          compactScript: `nvidia-smi --query-gpu=${COMPACT_QUERY} --format=csv`,
        },
        format: 'nvidia-smi-q',
        compactFormat: 'nvidia-smi-query-csv',
      };
    case 'nvidia-smi-nvlink':
      return {
        check,
        command: { argv: ['nvidia-smi', 'nvlink', '-s'], compactScript: COMPACT_TOPOLOGY },
        format: 'nvidia-smi-nvlink',
        compactFormat: 'nvidia-smi-topo',
      };
    case 'dmesg':
      return {
        check,
        command: { argv: ['dmesg', '--time-format', 'iso'], compactScript: COMPACT_XIDS },
        format: 'dmesg',
        compactFormat: 'dmesg',
      };
    case 'dcgmi-diag':
      // No compact form: a DCGM JSON report rarely fits in 1 KB; the transport says so if it does not.
      return {
        check,
        command: { argv: ['dcgmi', 'diag', '-r', String(dcgmLevel), '-j'] },
        format: 'dcgmi-diag-json',
      };
    case 'oci-hpc':
      return {
        check,
        command: { argv: ['python3', OCI_HPC_SCRIPT, '--dry-run'], compactScript: COMPACT_OCI_HPC },
        format: 'oci-hpc',
        compactFormat: 'oci-hpc',
      };
  }
}
