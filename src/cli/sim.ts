import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { type FaultSpec, parseFaultFlag } from '../sim/oci/faults.js';
import type { MaintenanceTransition } from '../sim/oci/fleet.js';
import { generateScenario, parseFleetSize } from '../sim/oci/generate.js';
import { shellHooks } from '../sim/oci/hooks.js';
import { REALISTIC_LIFECYCLE, readScenario, type Scenario } from '../sim/oci/scenario.js';
import { OciSimulator } from '../sim/oci/server.js';
import { SlackSimulator } from '../sim/slack/server.js';
import { SlackWorkspace } from '../sim/slack/workspace.js';
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

interface SimSlackOptions {
  port: string;
  channel: string[];
  user: string[];
  usergroup: string[];
  seed: string;
}

/** `ID:NAME` pairs, and groups as `ID:HANDLE:USER+USER`, into the workspace (checked by its schema). */
function workspaceFrom(options: SimSlackOptions): SlackWorkspace {
  const pair = (flag: string, value: string) => {
    const [id, name, ...rest] = value.split(':');
    if (!id || !name || (flag !== '--usergroup' && rest.length > 0)) {
      throw new CliError(
        `${flag} "${value}": expected ID:NAME${flag === '--usergroup' ? ':USER+USER' : ''}`,
        2,
      );
    }
    return { id, name, rest };
  };
  const input = {
    ...(options.channel.length > 0
      ? { channels: options.channel.map((c) => pair('--channel', c)).map(({ id, name }) => ({ id, name })) }
      : {}),
    users: options.user.map((u) => pair('--user', u)).map(({ id, name }) => ({ id, name })),
    usergroups: options.usergroup
      .map((g) => pair('--usergroup', g))
      .map(({ id, name, rest }) => ({ id, handle: name, users: (rest[0] ?? '').split('+').filter(Boolean) })),
  };
  const parsed = SlackWorkspace.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`workspace: ${issue.path.join('.')}: ${issue.message}`, 2);
  }
  return parsed.data;
}

async function simSlack(options: SimSlackOptions): Promise<void> {
  const workspace = workspaceFrom(options);
  const sim = new SlackSimulator({ workspace, seed: options.seed });
  const { apiUrl } = await sim.start(positiveInt('--port', options.port, 0));
  // The simulator's own made-up secrets, printed so a test or the demo can configure Pitstop with them.
  const { botToken, appToken, signingSecret } = sim.workspace;
  process.stdout.write(`${JSON.stringify({ apiUrl, botToken, appToken, signingSecret })}\n`);
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
    .option('--generate <spec>', 'generate a fleet: compartments=C,instances=I,events=E[,pooled=P]')
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

  sim
    .command('slack')
    .description('serve the Slack Web API (and Socket Mode) on 127.0.0.1 for Pitstop and its tests')
    .option('--port <port>', 'port to listen on (0: any free port)', '0')
    .option(
      '--channel <id:name>',
      'a channel the bot is in (repeatable; default C0PITSTOP:pitstop)',
      collect,
      [],
    )
    .option('--user <id:name>', 'a user of the workspace, e.g. U0ALICE:alice (repeatable)', collect, [])
    .option(
      '--usergroup <id:handle:users>',
      'a user group, e.g. S0OPS:ops:U0ALICE+U0BOB (repeatable)',
      collect,
      [],
    )
    .option('--seed <seed>', 'seed for the random faults', '1')
    .action(simSlack);
}
