import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/health/transports/local.js';
import { TransportError } from '../../../src/health/transports/transport.js';

const target = { node: 'gpu-1', instanceId: 'ocid1.instance.oc1..x', since: new Date(0) };

describe('local transport', () => {
  it('gives the output and exit status of the command', async () => {
    const output = await new LocalTransport({ PATH: process.env.PATH ?? '' }).run(
      target,
      { argv: ['sh', '-c', 'echo ready; echo warn >&2; exit 3'] },
      { timeoutMs: 10_000 },
    );
    expect(output).toEqual({ exitCode: 3, stdout: 'ready', stderr: 'warn' });
  });

  it('ends a check at its timeout even when a child of the tool keeps its output open', async () => {
    const transport = new LocalTransport({ PATH: process.env.PATH ?? '' });
    // `sh` forks `sleep` (a command follows it), and the sleep holds stdout for 10 minutes.
    const run = transport.run(target, { argv: ['sh', '-c', 'sleep 600; echo never'] }, { timeoutMs: 300 });
    await expect(run).rejects.toBeInstanceOf(TransportError);
    await expect(run).rejects.toThrow(/took longer than 300 ms/);
  });
});
