import { describe, expect, it } from 'vitest';
import { fixture, verdictOf } from './helpers.js';

const DCGM3 = fixture('dcgmi/diag-j_dcgm3.1.0_8gpu_all-pass_warning-prefix-and-nulls.txt');
const DCGM4 = fixture('dcgmi/diag-r1-j_dcgm4.2.3_gb10_software-fail_persistence-mode.txt');

/** The 4.x capture with its one result replaced. */
function dcgm4With(result: object, test = 'software', category = 'Deployment'): string {
  const doc = JSON.parse(DCGM4);
  const diagnostic = doc['DCGM Diagnostic'].test_categories[0];
  diagnostic.category = category;
  diagnostic.tests[0].name = test;
  diagnostic.tests[0].results = [{ entity_group: 'GPU', entity_group_id: 1, entity_id: 0, ...result }];
  return JSON.stringify(doc);
}

describe('dcgmi diag -j', () => {
  it('terminates on a hardware failure DCGM isolates to the GPU', () => {
    const text = dcgm4With(
      {
        status: 'Fail',
        warnings: [
          { warning: 'GPU 0 has memory errors', error_id: 34, error_category: 10, error_severity: 4 },
        ],
      },
      'memory',
      'Hardware',
    );
    const verdict = verdictOf('dcgmi-diag-json', text, { exitCode: 205 });
    expect(verdict.status).toBe('FAIL');
    expect(verdict.action).toBe('terminate');
    expect(verdict.reasons).toEqual(['dcgmi-diag (GPU 0): Hardware/memory: GPU 0 has memory errors']);
  });

  it('resets the GPU when DCGM says a reset fixes it', () => {
    const text = dcgm4With({
      status: 'Fail',
      warnings: [{ warning: 'GPU 0 needs a reset', error_id: 95, error_category: 15, error_severity: 6 }],
    });
    expect(verdictOf('dcgmi-diag-json', text, { exitCode: 226 }).action).toBe('reset_gpu');
  });

  it('shows warnings without failing', () => {
    const verdict = verdictOf(
      'dcgmi-diag-json',
      dcgm4With({ status: 'Warn', warnings: ['clocks throttled'] }),
    );
    expect(verdict.status).toBe('PASS');
    expect(verdict.warnings).toEqual(['dcgmi-diag (GPU 0): Deployment/software: clocks throttled']);
  });

  it.each([
    ['an exit status other than 0, 205 and 226', DCGM3, 1, /dcgmi exited 1: the diagnostic did not complete/],
    [
      'a failure exit status with no failure in the results',
      DCGM3,
      205,
      /exited 205 \(failures found\) but its results show none/,
    ],
    ['a status it does not know', dcgm4With({ status: 'Exploded' }), 0, /unknown status "Exploded"/],
    ['only skipped tests', dcgm4With({ status: 'Skip' }), 0, /no test ran/],
    ['a JSON document of another kind', '{"DCGM Health": {}}', 0, /neither a "DCGM GPU Diagnostic"/],
    [
      'text that is not JSON',
      'Error: unable to establish a connection to the specified host: localhost',
      1,
      /unable to establish/,
    ],
    ['JSON cut short', DCGM3.slice(0, 1200), 0, /not JSON/],
  ])('is ERROR for %s', (_name, text, exitCode, reason) => {
    const verdict = verdictOf('dcgmi-diag-json', text, { exitCode });
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons.join('\n')).toMatch(reason);
  });
});

describe('dcgmi diag text table', () => {
  const table = (rows: string[]) =>
    [
      '+---------------------------+------------------------------------------------+',
      '| Diagnostic                | Result                                         |',
      '+===========================+================================================+',
      '|-----  Hardware  ----------+------------------------------------------------|',
      ...rows,
    ].join('\n');

  it('fails the GPUs a test names and warns on Warn rows', () => {
    const verdict = verdictOf(
      'dcgmi-diag-text',
      table([
        '| GPU Memory                | Fail - GPU: 2, 5                               |',
        '| Pulse Test                | Warn - All                                     |',
        '| Diagnostic                | Skip - All                                     |',
      ]),
    );
    expect(verdict.status).toBe('FAIL');
    expect(verdict.checks).toContainEqual(
      expect.objectContaining({ status: 'fail', gpu: '2,5', action: 'terminate' }),
    );
    expect(verdict.warnings).toEqual(['dcgmi-diag: Hardware/Pulse Test: Warn - All']);
  });

  it('is ERROR for a result it cannot read', () => {
    const verdict = verdictOf(
      'dcgmi-diag-text',
      table(['| GPU Memory                | Exploded                                       |']),
    );
    expect(verdict.status).toBe('ERROR');
  });
});
