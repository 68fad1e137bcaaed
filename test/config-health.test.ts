import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('loadConfig: health settings that cannot work together', () => {
  it('refuses dcgmi-diag over oci-run-command at start-up, with the other errors, saying what to change', () => {
    const problems = problemsOf({
      HEALTH_TRANSPORT: 'oci-run-command',
      HEALTH_CHECKS: 'nvidia-smi-q,dcgmi-diag',
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^HEALTH_CHECKS: dcgmi-diag cannot run over HEALTH_TRANSPORT=oci-run-command .*1 KB.*: drop dcgmi-diag from HEALTH_CHECKS or use HEALTH_TRANSPORT=ssh$/,
      ),
      expect.stringMatching(/^SLACK_APP_TOKEN: required/),
      expect.stringMatching(/^SLACK_CHANNEL: required/),
    ]);
  });

  it('leaves dcgmi-diag out of the default checks over oci-run-command only', () => {
    expect(loadConfig({ HEALTH_TRANSPORT: 'oci-run-command' }).health.checks).toEqual([
      'nvidia-smi-q',
      'nvidia-smi-nvlink',
      'dmesg',
    ]);
    expect(loadConfig({}).health.checks).toEqual([
      'nvidia-smi-q',
      'nvidia-smi-nvlink',
      'dmesg',
      'dcgmi-diag',
    ]);
    expect(loadConfig({ HEALTH_CHECKS: 'dcgmi-diag' }).health.checks).toEqual(['dcgmi-diag']);
  });
});
