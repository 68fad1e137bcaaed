import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An executable `name` in a fresh directory that prints `output` when called with exactly
 * `args`, and fails naming what it got otherwise. Returns the directory (for a bin dir).
 */
export function standInCommand(name: string, args: string, output: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pitstop-${name}-`));
  const out = join(dir, `${name}.out`);
  writeFileSync(out, output);
  writeFileSync(
    join(dir, name),
    `#!/bin/sh\n[ "$*" = "${args}" ] || { echo "bad args: $*" >&2; exit 2; }\ncat '${out}'\n`,
  );
  chmodSync(join(dir, name), 0o755);
  return dir;
}
