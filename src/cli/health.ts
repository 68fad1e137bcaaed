import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { decideVerdict } from '../domain/verdict.js';
import { EXIT_CODES, formatVerdict } from '../health/format-verdict.js';
import { OutputFormat, parseOutput } from '../health/parsers/index.js';
import { KNOWN_SHAPES, shapeProfile } from '../health/shapes.js';
import { CliError } from './errors.js';

// A usage mistake gives no verdict, so it exits like one that could not be reached: ERROR.
const NO_VERDICT = EXIT_CODES.ERROR;

function gpuCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new CliError(`--expect-gpus: expected a whole number, got "${value}"`, NO_VERDICT);
  return Number(value);
}

async function parseCommand(
  file: string,
  options: { format: string; expectGpus?: string; shape?: string; json?: boolean },
): Promise<void> {
  const format = OutputFormat.safeParse(options.format);
  if (!format.success) {
    throw new CliError(
      `--format: "${options.format}" is not one of ${OutputFormat.options.join(', ')}`,
      NO_VERDICT,
    );
  }
  const shape = shapeProfile(options.shape);
  if (options.shape !== undefined && shape === undefined) {
    throw new CliError(
      `--shape: unknown shape "${options.shape}"; known: ${KNOWN_SHAPES.join(', ')}`,
      NO_VERDICT,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, NO_VERDICT);
  }
  const verdict = decideVerdict(
    parseOutput(format.data, text, { expectGpus: gpuCount(options.expectGpus), shape }),
  );
  process.stdout.write(`${options.json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict, file)}\n`);
  process.exitCode = EXIT_CODES[verdict.status];
}

export function registerHealth(program: Command): void {
  const health = program.command('health').description('GPU health checks and their verdicts');
  health
    .command('parse <file>')
    .description('parse one command output into a verdict (exit 0 PASS, 1 FAIL, 2 ERROR)')
    .requiredOption('--format <format>', OutputFormat.options.join(' | '))
    .option('--expect-gpus <n>', 'GPUs the node should have')
    .option('--shape <shape>', 'OCI shape, for its GPU count, NVLink figures and thresholds')
    .option('--json', 'print the verdict as JSON')
    .action(parseCommand);
  health
    .command('run <node>')
    .description('run the configured checks on a node')
    .option('--json', 'print the verdict as JSON')
    .action(() => {
      throw new CliError('pitstop health run is not wired yet', 3);
    });
}
