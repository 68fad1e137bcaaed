import type { Command } from 'commander';
import { notBuilt } from './errors.js';

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('simulators for the demo and tests');
  sim
    .command('oci')
    .description('serve the OCI REST API on 127.0.0.1 for the real SDK')
    .option('--port <port>', 'port to listen on (0: any free port)', '0')
    .option('--generate <spec>', 'generate a fleet: compartments=C,instances=I,events=E')
    .option('--seed <seed>', 'seed for --generate')
    .option('--scenario <file>', 'serve the fleet described in this JSON file')
    .option('--write-oci-config <dir>', 'write DIR/config and DIR/key.pem for the SDK')
    .action(() => notBuilt('sim oci', 'the OCI issue'));
}
