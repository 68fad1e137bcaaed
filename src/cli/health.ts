import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { NodeName } from '../domain/node.js';
import { decideVerdict, type Verdict } from '../domain/verdict.js';
import { EXIT_CODES, formatVerdict } from '../health/format-verdict.js';
import { healthRunnerFromConfig } from '../health/from-config.js';
import { OutputFormat, parseOutput } from '../health/parsers/index.js';
import { KNOWN_SHAPES, shapeProfile } from '../health/shapes.js';
import { OciCloud } from '../oci/oci-cloud.js';
import { slurmClusterFromConfig } from '../slurm/from-config.js';
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
  report(verdict, file, options.json);
}

function report(verdict: Verdict, subject: string, json?: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict, subject)}\n`);
  process.exitCode = EXIT_CODES[verdict.status];
}

interface RunOptions {
  instance?: string;
  shape?: string;
  address?: string;
  since?: string;
  json?: boolean;
}

/**
 * Checks one node by hand, outside a maintenance job: the node must be up already (its slurmd
 * registered after --since, by default its last boot), then the configured checks run over
 * HEALTH_TRANSPORT.
 */
async function runCommand(node: string, options: RunOptions): Promise<void> {
  const name = NodeName.safeParse(node);
  if (!name.success) throw new CliError(`"${node}": ${name.error.issues[0]?.message}`, NO_VERDICT);
  const config = loadConfig();
  const say = (message: string) => process.stderr.write(`pitstop: ${message}\n`);
  const cluster = slurmClusterFromConfig(config.slurm);
  const status = await cluster.status(name.data).catch((error: Error) => {
    throw new CliError(`cannot read ${node} from Slurm: ${error.message}`, NO_VERDICT);
  });
  const since = options.since ?? status.bootTime ?? status.slurmdStartTime;
  if (since === undefined || Number.isNaN(new Date(since).getTime())) {
    throw new CliError(
      `--since: give the time the maintenance of ${node} ended (Slurm shows no boot time for it)`,
      NO_VERDICT,
    );
  }
  const needsCloud = config.health.transport === 'oci-run-command' || (options.instance && !options.shape);
  if (config.health.transport === 'oci-run-command' && !options.instance) {
    throw new CliError('--instance: HEALTH_TRANSPORT=oci-run-command needs the instance OCID', NO_VERDICT);
  }
  const cloud = needsCloud ? await OciCloud.create(config.oci) : undefined;
  const shape =
    options.shape ??
    (cloud && options.instance ? (await cloud.getInstance(options.instance)).shape : undefined);
  const runner = healthRunnerFromConfig(config.health, { cluster, cloud, clock: systemClock });
  const verdict = await runner.run(
    {
      node: name.data,
      // Only Run Command addresses the node by its instance; ssh goes by address or name.
      instanceId: options.instance ?? '',
      shape,
      address: options.address ?? status.address,
      since: new Date(since),
    },
    { backDeadline: new Date(systemClock.now().getTime() + config.pipeline.backTimeoutMs), onProgress: say },
  );
  report(verdict, node, options.json);
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
    .option('--instance <ocid>', 'the OCI instance (for oci-run-command, and its shape)')
    .option('--shape <shape>', 'OCI shape, when --instance is not given')
    .option('--address <host>', "address to reach the node at (default: Slurm's NodeAddr)")
    .option('--since <time>', "only kernel messages after this ISO time count (default: the node's boot)")
    .option('--json', 'print the verdict as JSON')
    .action(runCommand);
}
