import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { type FaultSpec, parseFaultFlag } from '../sim/oci/faults.js';
import type { MaintenanceTransition } from '../sim/oci/fleet.js';
import { generateScenario, parseFleetSize } from '../sim/oci/generate.js';
import { shellHooks } from '../sim/oci/hooks.js';
import { REALISTIC_LIFECYCLE, readScenario, type Scenario } from '../sim/oci/scenario.js';
import { OciSimulator } from '../sim/oci/server.js';
import { CliError } from './errors.js';

interface SimOciOptions {
  port: string;
  generate?: string;
  seed: string;
  scenario?: string;
  writeOciConfig?: string;
  lifecycle: string;
  maxPageSize: string;
  fault: string[];
  onMaintenanceStart?: string;
  onMaintenanceEnd?: string;
}

/** A CLI usage problem is an operator error, said without a stack. */
function operatorError<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

function scenarioFrom(options: SimOciOptions): Scenario {
  if (options.generate && options.scenario) throw new CliError('use --generate or --scenario, not both', 2);
  if (options.scenario) return operatorError(() => readScenario(options.scenario!));
  if (options.generate) {
    const size = operatorError(() => parseFleetSize(options.generate!));
    return generateScenario(size, options.seed, systemClock.now());
  }
  throw new CliError(
    'say which fleet to serve: --generate compartments=C,instances=I,events=E or --scenario FILE',
    2,
  );
}

function positiveInt(flag: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new CliError(`${flag}: expected a whole number >= ${min}`, 2);
  return number;
}

async function simOci(options: SimOciOptions): Promise<void> {
  const scenario = scenarioFrom(options);
  if (!['demo', 'realistic'].includes(options.lifecycle)) {
    throw new CliError('--lifecycle: expected demo or realistic', 2);
  }
  const faults: { operation: string; spec: FaultSpec }[] = options.fault.map((flag) =>
    operatorError(() => parseFaultFlag(flag)),
  );
  const sim = new OciSimulator({
    scenario,
    seed: options.seed,
    maxPageSize: positiveInt('--max-page-size', options.maxPageSize, 1),
    lifecycle: options.lifecycle === 'realistic' ? REALISTIC_LIFECYCLE : {},
    onMaintenance: reportingFailures(
      shellHooks({ onStart: options.onMaintenanceStart, onEnd: options.onMaintenanceEnd }),
    ),
  });
  for (const { operation, spec } of faults) sim.faults.set(operation, spec);
  const { endpoint, tenancy } = await sim.start(positiveInt('--port', options.port, 0));
  if (options.writeOciConfig) sim.writeOciConfig(options.writeOciConfig);
  process.stdout.write(`${JSON.stringify({ endpoint, tenancy })}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await sim.stop();
}

/** A failing hook is said on stderr at once; the simulator goes on serving. */
function reportingFailures(hook: (t: MaintenanceTransition) => Promise<void>) {
  return async (transition: MaintenanceTransition) => {
    try {
      await hook(transition);
    } catch (error) {
      process.stderr.write(
        `pitstop sim oci: the ${transition.phase} hook for ${transition.node} failed: ${(error as Error).message}\n`,
      );
      throw error;
    }
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('simulators for the demo and tests');
  sim
    .command('oci')
    .description('serve the OCI REST API on 127.0.0.1 for the real SDK')
    .option('--port <port>', 'port to listen on (0: any free port)', '0')
    .option('--generate <spec>', 'generate a fleet: compartments=C,instances=I,events=E')
    .option('--seed <seed>', 'seed for --generate and the random faults', '1')
    .option('--scenario <file>', 'serve the fleet described in this JSON file')
    .option('--write-oci-config <dir>', 'write DIR/config and DIR/key.pem for the SDK')
    .option('--lifecycle <preset>', 'stage durations: demo (seconds) or realistic (minutes)', 'demo')
    .option('--max-page-size <n>', 'largest page any list returns', '100')
    .option(
      '--fault <op:kind=value>',
      'inject faults, e.g. *:latency=20ms, listCompartments:429=0.2, getWorkRequest:5xx=0.1, getInstance:timeout=0.05, updateInstanceMaintenanceEvent:drop=0.1 (repeatable)',
      collect,
      [],
    )
    .option(
      '--on-maintenance-start <cmd>',
      'run when an event starts (PITSTOP_NODE, PITSTOP_INSTANCE_ID, … in env)',
    )
    .option('--on-maintenance-end <cmd>', 'run when an event ends (same environment)')
    .action(simOci);
}
