import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('loadConfig', () => {
  it('runs headless with defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.slack.botToken).toBeUndefined();
    expect(config.pipeline).toMatchObject({
      discoveryCron: '*/15 * * * *',
      maxWorkers: 4,
      leadTimeMs: 300_000,
      fixedWindowDrainLeadMs: 2 * 3_600_000,
      dueWarningMs: 2 * 3_600_000,
    });
    expect(config.oci).toMatchObject({ auth: 'config_file', profile: 'DEFAULT', concurrency: 8 });
    expect(config.store.auditFile).toBe(join(config.store.stateFile, '..', 'audit.jsonl'));
  });

  it('reads durations, lists and booleans', () => {
    const config = loadConfig({
      DRAIN_TIMEOUT: '90m',
      DUE_WARNING: '30m',
      POLL_INITIAL: '1500',
      DRY_RUN: 'yes',
      HEALTH_CHECKS: 'nvidia-smi-q, dmesg',
      SLACK_APPROVERS: 'U01ABC,S02DEF',
    });
    expect(config.pipeline.drainTimeoutMs).toBe(90 * 60_000);
    expect(config.pipeline.dueWarningMs).toBe(30 * 60_000);
    expect(problemsOf({ DUE_WARNING: 'two hours' })[0]).toMatch(/^DUE_WARNING: expected a duration/);
    expect(config.pipeline.pollInitialMs).toBe(1500);
    expect(config.dryRun).toBe(true);
    expect(config.health.checks).toEqual(['nvidia-smi-q', 'dmesg']);
    expect(config.slack.approvers).toEqual(['U01ABC', 'S02DEF']);
  });

  it('reads per-shape health overrides as JSON, and says when they are not', () => {
    const shapes = { 'BM.GPU.H100.8': { skip: { 'dcgmi-diag': 'DCGM is not installed' } } };
    expect(loadConfig({ HEALTH_SHAPES: JSON.stringify(shapes) }).health.shapeOverrides).toMatchObject(shapes);
    expect(problemsOf({ HEALTH_SHAPES: '{"BM.GPU.H100.8": {' })).toEqual([
      expect.stringMatching(/^HEALTH_SHAPES: expected JSON/),
    ]);
    expect(problemsOf({ HEALTH_SHAPES: '{"BM.GPU.H100.8": {"gpus": -1}}' })[0]).toMatch(
      /^HEALTH_SHAPES: .*>=0/,
    );
  });

  it('lists every bad variable at once, with what it expects and what it got', () => {
    const problems = problemsOf({
      MAX_WORKERS: 'lots',
      DRAIN_TIMEOUT: 'soon',
      OCI_ENDPOINT: 'not a url',
      HEALTH_TRANSPORT: 'telnet',
      OCI_COMPARTMENTS: 'ocid1.compartment.oc1..aaaa,finance',
    });
    expect(problems).toHaveLength(5);
    expect(problems.find((p) => p.startsWith('MAX_WORKERS:'))).toContain('"lots"');
    expect(problems.find((p) => p.startsWith('DRAIN_TIMEOUT:'))).toMatch(
      /duration such as .* \(got "soon"\)/,
    );
    expect(problems.find((p) => p.startsWith('OCI_ENDPOINT:'))).toMatch(/http\(s\) URL/);
    expect(problems.find((p) => p.startsWith('HEALTH_TRANSPORT:'))).toMatch(/ssh.*oci-run-command.*local/);
    expect(problems.find((p) => p.startsWith('OCI_COMPARTMENTS:'))).toMatch(/OCID/);
  });

  it('never echoes a secret, even a malformed one', () => {
    const secret = 'xoxp-user-token-pasted-by-mistake';
    const problems = problemsOf({ SLACK_BOT_TOKEN: secret, SLACK_SIGNING_SECRET: 'short' });
    expect(problems.join('\n')).toMatch(/SLACK_BOT_TOKEN: expected a bot token/);
    expect(problems.join('\n')).toMatch(/SLACK_SIGNING_SECRET/);
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('reads the gates: windows, the freeze file, reservations on by default, and Prometheus with both settings', () => {
    expect(loadConfig({}).gates).toEqual({
      windows: [],
      blockFile: undefined,
      slurmReservations: true,
      prometheus: undefined,
    });
    const config = loadConfig({
      MAINTENANCE_WINDOWS: 'Mon-Fri 08:00-18:00 America/Chicago; Sat 00:00-06:00 UTC',
      BLOCK_FILE: '/etc/pitstop/freeze',
      BLOCK_SLURM_RESERVATIONS: 'false',
      BLOCK_PROMETHEUS_URL: 'http://prometheus:9090',
      BLOCK_PROMETHEUS_QUERY: 'ALERTS{alertstate="firing"}',
    });
    expect(config.gates.windows.map((w) => [w.zone, w.start, w.end])).toEqual([
      ['America/Chicago', 480, 1080],
      ['UTC', 0, 360],
    ]);
    expect(config.gates).toMatchObject({
      blockFile: '/etc/pitstop/freeze',
      slurmReservations: false,
      prometheus: { url: 'http://prometheus:9090', query: 'ALERTS{alertstate="firing"}' },
    });
  });

  it('refuses bad maintenance windows and half a Prometheus blocker, naming the problem', () => {
    expect(problemsOf({ MAINTENANCE_WINDOWS: 'Mon-Fri 08:00-18:00 America/Chicgo' })).toEqual([
      expect.stringMatching(/^MAINTENANCE_WINDOWS: .*unknown time zone "America\/Chicgo"/),
    ]);
    expect(problemsOf({ MAINTENANCE_WINDOWS: 'weekdays 8-18' })).toEqual([
      expect.stringMatching(/^MAINTENANCE_WINDOWS: "weekdays 8-18": expected DAYS HH:MM-HH:MM ZONE/),
    ]);
    expect(problemsOf({ BLOCK_PROMETHEUS_URL: 'http://prometheus:9090' })).toEqual([
      'BLOCK_PROMETHEUS_QUERY: required with BLOCK_PROMETHEUS_URL (a Prometheus blocker needs both the server and the query), or unset both',
    ]);
    expect(problemsOf({ BLOCK_PROMETHEUS_QUERY: 'up == 0' })).toEqual([
      expect.stringMatching(/^BLOCK_PROMETHEUS_URL: required with BLOCK_PROMETHEUS_QUERY/),
    ]);
  });

  it('reads the webhook settings, and never echoes a webhook URL (it may carry a token)', () => {
    const config = loadConfig({
      TICKET_WEBHOOK_URL: 'https://hooks.example/T1/B2/s3cr3t',
      BOOKKEEPING_WEBHOOK_URL: 'https://cmdb.example/jobs?token=s3cr3t',
      WEBHOOK_TIMEOUT: '5m',
    });
    expect(config.pipeline).toMatchObject({
      ticketWebhookUrl: 'https://hooks.example/T1/B2/s3cr3t',
      bookkeepingWebhookUrl: 'https://cmdb.example/jobs?token=s3cr3t',
      webhookTimeoutMs: 300_000,
    });
    expect(loadConfig({}).pipeline.webhookTimeoutMs).toBe(15 * 60_000);
    const problems = problemsOf({
      TICKET_WEBHOOK_URL: 'ftp://hooks.example/s3cr3t',
      BOOKKEEPING_WEBHOOK_URL: 's3cr3t',
    });
    expect(problems).toEqual([
      'TICKET_WEBHOOK_URL: expected an http(s) URL',
      'BOOKKEEPING_WEBHOOK_URL: expected an http(s) URL',
    ]);
  });

  it('asks for what the chosen Slack mode needs', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_MODE: 'http' });
    expect(problems).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required with SLACK_MODE=http/),
      expect.stringMatching(/^SLACK_CHANNEL: required/),
    ]);
  });

  it('takes settings from PITSTOP_CONFIG, the environment winning, and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-config-'));
    const file = join(dir, 'pitstop.json');
    writeFileSync(file, JSON.stringify({ MAX_WORKERS: 2, LEAD_TIME: '10m' }));
    expect(loadConfig({ PITSTOP_CONFIG: file, MAX_WORKERS: '6' }).pipeline).toMatchObject({
      maxWorkers: 6,
      leadTimeMs: 600_000,
    });
    writeFileSync(file, JSON.stringify({ MAX_WORKRES: 2 }));
    expect(problemsOf({ PITSTOP_CONFIG: file })).toEqual([`MAX_WORKRES (in ${file}): not a Pitstop setting`]);
    writeFileSync(file, '{ MAX_WORKERS: 2 ');
    expect(problemsOf({ PITSTOP_CONFIG: file })[0]).toMatch(/^PITSTOP_CONFIG: .* is not a JSON object/);
  });

  it('reports the whole list in the error message', () => {
    expect(() => loadConfig({ PORT: '70000', FAIL_MODE: 'REBOOT' })).toThrow(
      /configuration is invalid\.\n {2}- PORT: .*\n {2}- FAIL_MODE: /,
    );
  });
});

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
