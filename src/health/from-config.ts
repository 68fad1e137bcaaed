import type { Config } from '../config.js';
import type { Clock, Cloud, Cluster } from '../ports.js';
import { TransportHealthRunner } from './runner.js';
import { LocalTransport } from './transports/local.js';
import { OciRunCommandTransport } from './transports/oci-run-command.js';
import { SshTransport } from './transports/ssh.js';
import type { Transport } from './transports/transport.js';

export interface HealthPorts {
  cluster: Pick<Cluster, 'waitBack'>;
  /** Needed only by the oci-run-command transport. */
  cloud?: Pick<Cloud, 'runCommand'>;
  clock: Clock;
}

export function transportFromConfig(
  health: Config['health'],
  ports: Pick<HealthPorts, 'cloud' | 'clock'>,
): Transport {
  switch (health.transport) {
    case 'ssh':
      return new SshTransport({
        user: health.ssh.user,
        key: health.ssh.key,
        port: health.ssh.port,
        proxyJump: health.ssh.proxyJump,
        connectTimeoutMs: health.ssh.connectTimeoutMs,
      });
    case 'oci-run-command':
      if (!ports.cloud) throw new Error('HEALTH_TRANSPORT=oci-run-command needs the OCI Cloud adapter');
      return new OciRunCommandTransport(ports.cloud, ports.clock);
    case 'local':
      return new LocalTransport({ PATH: process.env.PATH ?? '/usr/bin:/bin' });
  }
}

/**
 * The HealthRunner port as the configuration says (HEALTH_* and SSH_* variables); the demo
 * passes its own transport (stand-in GPU tools per simulated node).
 */
export function healthRunnerFromConfig(
  health: Config['health'],
  ports: HealthPorts,
  transport: Transport = transportFromConfig(health, ports),
): TransportHealthRunner {
  return new TransportHealthRunner({
    cluster: ports.cluster,
    transport,
    clock: ports.clock,
    settings: {
      checks: health.checks,
      dcgmLevel: health.dcgmLevel,
      expectGpus: health.expectGpus,
      timeoutMs: health.timeoutMs,
      shapeOverrides: health.shapeOverrides,
    },
  });
}
