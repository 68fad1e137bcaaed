/**
 * Chaos, health: GPU checks that hang, a transport that drops, output cut mid-line, a GPU
 * missing, tools missing or refused. Every one must give ERROR or FAIL, never PASS, and the node
 * stays out. In one process on a ManualClock, with stand-in GPU tools (these machines have none).
 */
import { describe, expect } from 'vitest';
import type { MaintenanceJob } from '../../src/domain/job.js';
import { BROKEN_TOOLS, breakTool } from '../support/broken-tools.js';
import { FIXTURES, type GpuStandins } from '../support/gpu-standins.js';
import { EVENTS } from '../support/pipeline.js';
import { Captured, secretsCase } from './captured.js';
import { type ChaosCase, runMatrix } from './matrix.js';
import { pipelineCase } from './pipeline-world.js';

const captured = new Captured();
const Q = `${FIXTURES}/nvidia-smi/q_h100-80gb_8gpu_drv535_healthy.txt`;

/** A stand-in nvidia-smi whose `-q` runs `query` (sh); its other answers are the healthy ones. */
const nvidiaSmi = (query: string) => `case "$1" in
  -q) ${query} ;;
  topo) cat '${FIXTURES}/nvidia-smi/topo-m_h100_8gpu_nv18_spaces.txt' ;;
  *) cat '${FIXTURES}/nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' ;;
esac`;

function healthCase(
  name: string,
  fault: string,
  breakIt: (standins: GpuStandins) => Promise<void>,
  options: { healthTimeoutMs?: number; verdict?: RegExp } = {},
): ChaosCase<Captured> {
  return {
    group: 'health',
    name,
    fault,
    expected: 'verdict ERROR or FAIL, never PASS; the node is kept out with the reasons',
    async run(captured) {
      const c = await pipelineCase(captured, options);
      try {
        await breakIt(c.pipeline.standins);
        await c.approveAndRun(EVENTS.flex.id, EVENTS.flex.node);
        const record = await c.record();
        const job = record.audit.find((r) => r.type === 'finished' && r.eventId === EVENTS.flex.id)?.job as
          | MaintenanceJob
          | undefined;
        expect(job?.verdict?.status, c.thread(EVENTS.flex.id).join('\n')).toMatch(/^(ERROR|FAIL)$/);
        expect(job?.outcome).toBe('kept_out');
        if (options.verdict) expect(JSON.stringify(job?.verdict)).toMatch(options.verdict);
        expect(c.pipeline.slurmUpdates.map((u) => u.update.state)).not.toContain('RESUME');
        return record;
      } finally {
        await c.stop();
      }
    },
  };
}

const CASES: ChaosCase<Captured>[] = [
  ...BROKEN_TOOLS.map((broken) =>
    healthCase(
      `${broken.check}: ${broken.name}`,
      `${broken.tool} on the node: ${broken.name}`,
      (standins) => breakTool(standins, broken),
      { verdict: broken.reason },
    ),
  ),
  healthCase(
    'check hangs',
    'dcgmi never returns (HEALTH_TIMEOUT 3 s)',
    (standins) => standins.write('dcgmi', 'sleep 600; echo never'),
    { healthTimeoutMs: 3_000 },
  ),
  healthCase(
    'transport drops mid-check',
    'nvidia-smi -q dies (SIGKILL) after its first 20 lines, as when the session drops',
    (standins) => standins.write('nvidia-smi', nvidiaSmi(`head -n 20 '${Q}'; kill -9 $$`)),
  ),
  healthCase(
    'output truncated mid-line',
    'nvidia-smi -q stops 9,000 bytes in, in the middle of a line',
    (standins) => standins.write('nvidia-smi', nvidiaSmi(`head -c 9000 '${Q}'`)),
  ),
  healthCase(
    'GPU missing',
    'nvidia-smi -q shows 1 GPU on an 8-GPU shape',
    (standins) =>
      standins.answer('nvidia-smi', {
        '-q': { fixture: 'nvidia-smi/q_h100-80gb_1gpu_drv590_idle_masked.txt' },
        'nvlink -s': { fixture: 'nvidia-smi/nvlink-s_a100-sxm4-80gb_8gpu_good.txt' },
      }),
    { verdict: /GPU/ },
  ),
];

describe('chaos: health', () => {
  runMatrix([...CASES, secretsCase(captured)], () => captured);
});
