import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { HealthCheckName, ShapeOverrides } from './domain/health-checks.js';
import { DEFAULT_NODE_MAPPING, NodeMappingStep } from './domain/mapping.js';
import { parseWindows } from './domain/windows.js';

/** Variables whose values never appear in logs or error messages. */
export const SECRET_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  // A webhook URL often carries its token in the path or the query.
  'TICKET_WEBHOOK_URL',
  'BOOKKEEPING_WEBHOOK_URL',
] as const;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `30s`, `5m`, `6h`, `1d`, or a plain number of milliseconds. */
export const Duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(String(value));
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 6h or 1d' });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
});

const bool = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list; empty entries are dropped. */
const list = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean),
    )
    .pipe(z.array(item));

const ocid = (kind: string) =>
  z
    .string()
    .regex(
      /^ocid1\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9-]*\.[A-Za-z0-9._-]+$/,
      `expected an OCID (ocid1.${kind}.…)`,
    );

/** JSON in a variable, or the same value already parsed in the config file. */
const json = <T extends z.ZodType>(schema: T) =>
  z
    .unknown()
    .transform((value, ctx) => {
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/**
 * Every setting is one environment variable; the optional PITSTOP_CONFIG file (JSON) supplies
 * the same names, and the environment wins. The keys are the variable names, so every error
 * names the variable to fix.
 */
export const EnvSchema = z.object({
  PITSTOP_CONFIG: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  DRY_RUN: bool.default(false),
  STATE_FILE: z.string().min(1).default('.pitstop/state.json'),
  AUDIT_FILE: z.string().min(1).optional(),

  // OCI
  OCI_AUTH: z.enum(['config_file', 'instance_principal', 'resource_principal']).default('config_file'),
  OCI_CONFIG_FILE: z
    .string()
    .min(1)
    .default(join(homedir(), '.oci', 'config')),
  OCI_PROFILE: z.string().min(1).default('DEFAULT'),
  OCI_TENANCY_OCID: ocid('tenancy').optional(),
  OCI_REGION: z
    .string()
    .regex(/^[a-z]+-[a-z]+-\d+$/, 'expected a region such as us-ashburn-1')
    .optional(),
  OCI_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  OCI_COMPARTMENTS: list(ocid('compartment')).default([]),
  OCI_DISCOVERY_CONCURRENCY: int(1, 64).default(8),
  OCI_MAINTENANCE_TAG: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('pitstop'),

  // Slack (optional: without tokens Pitstop runs headless)
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'expected a bot token (xoxb-…)').optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'expected an app-level token (xapp-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the app signing secret').optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  SLACK_MODE: z.enum(['socket', 'http']).default('socket'),
  SLACK_CHANNEL: z
    .string()
    .regex(/^[CG][A-Z0-9]+$|^#?[a-z0-9._-]+$/, 'expected a channel id or name')
    .optional(),
  SLACK_APPROVERS: list(
    z.string().regex(/^[USW][A-Z0-9]+$/, 'expected Slack user (U…) or user group (S…) ids'),
  ).default([]),
  /** A sweep announcing more new events than this also posts one digest with Approve all. */
  SLACK_DIGEST_THRESHOLD: int(0, 10_000).default(5),
  /** 0: any free port (the demo's Bolt app); the port taken is logged. */
  PORT: int(0, 65535).default(3000),

  // Discovery and the pipeline
  DISCOVERY_CRON: z.string().min(9).default('*/15 * * * *'),
  MAX_WORKERS: int(1, 256).default(4),
  MAX_PARTITION_OUT_PERCENT: int(1, 100).default(10),
  MAX_NODES_OUT: int(1, 100_000).default(4),
  AUTO_APPROVE: list(
    z.string().regex(/^[A-Z_]+$/, 'expected maintenance reasons such as FIRMWARE_UPDATE, or ALL'),
  ).default([]),
  LEAD_TIME: Duration.default(5 * 60_000),
  FIXED_WINDOW_DRAIN_LEAD: Duration.default(2 * 3_600_000),
  DRAIN_TIMEOUT: Duration.default(6 * 3_600_000),
  /** A drain still waiting on Slurm jobs this close to the hard due date asks: proceed now, or leave it to OCI. */
  DUE_WARNING: Duration.default(2 * 3_600_000),
  MAINTENANCE_TIMEOUT: Duration.default(24 * 3_600_000),
  POLL_INITIAL: Duration.default(30_000),
  POLL_MAX: Duration.default(10 * 60_000),
  BACK_TIMEOUT: Duration.default(2 * 3_600_000),
  FAIL_MODE: z.enum(['DRAIN', 'DOWN']).default('DRAIN'),
  TICKET_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  BOOKKEEPING_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  WEBHOOK_TIMEOUT: Duration.default(15 * 60_000),
  /** A failed node's instance may be terminated, after two different people asked. */
  TRIAGE_TERMINATE: bool.default(false),

  // Gates: when new drains may start
  MAINTENANCE_WINDOWS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseWindows(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  BLOCK_FILE: z.string().min(1).optional(),
  BLOCK_SLURM_RESERVATIONS: bool.default(true),
  BLOCK_PROMETHEUS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  BLOCK_PROMETHEUS_QUERY: z.string().min(1).optional(),

  // Slurm
  SLURM_CONF: z.string().optional(),
  SLURM_BIN_DIR: z.string().optional(),
  SLURM_TIMEOUT: Duration.default(30_000),
  NODE_MAPPING: list(NodeMappingStep).default(DEFAULT_NODE_MAPPING),
  OCI_HPC_MGMT_COMMAND: z.string().min(1).default('mgmt'),

  // Health
  HEALTH_TRANSPORT: z.enum(['ssh', 'oci-run-command', 'local']).default('ssh'),
  /** Unset: every check the transport can carry (see defaultChecks). */
  HEALTH_CHECKS: list(HealthCheckName).optional(),
  HEALTH_DCGM_LEVEL: int(1, 4).default(1),
  HEALTH_EXPECT_GPUS: int(0, 64).optional(),
  HEALTH_TIMEOUT: Duration.default(60 * 60_000),
  HEALTH_SHAPES: json(ShapeOverrides).default({}),
  SSH_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]*$/i)
    .optional(),
  SSH_KEY: z.string().optional(),
  SSH_PORT: int(1, 65535).optional(),
  SSH_PROXY_JUMP: z.string().optional(),
  SSH_CONNECT_TIMEOUT: Duration.default(10_000),
});

export type Env = z.infer<typeof EnvSchema>;

/** A DCGM JSON report never fits the 1 KB of output OCI Run Command keeps. */
const FITS_NO_RUN_COMMAND: readonly HealthCheckName[] = ['dcgmi-diag'];

function defaultChecks(transport: Env['HEALTH_TRANSPORT']): HealthCheckName[] {
  const all: HealthCheckName[] = ['nvidia-smi-q', 'nvidia-smi-nvlink', 'dmesg', 'dcgmi-diag'];
  return transport === 'oci-run-command' ? all.filter((c) => !FITS_NO_RUN_COMMAND.includes(c)) : all;
}

/** Health settings that each parse but cannot work together: refused at start-up, saying what to change. */
function healthProblems(env: Env): string[] {
  if (env.HEALTH_TRANSPORT !== 'oci-run-command') return [];
  const unfit = (env.HEALTH_CHECKS ?? []).filter((c) => FITS_NO_RUN_COMMAND.includes(c));
  return unfit.map(
    (check) =>
      `HEALTH_CHECKS: ${check} cannot run over HEALTH_TRANSPORT=oci-run-command (its report never fits the 1 KB of output Run Command keeps, so every node would be ERROR): drop ${check} from HEALTH_CHECKS or use HEALTH_TRANSPORT=ssh`,
  );
}

/** A Prometheus blocker needs both its URL and its query: one alone would silently block nothing. */
function gateProblems(env: Env): string[] {
  if (Boolean(env.BLOCK_PROMETHEUS_URL) === Boolean(env.BLOCK_PROMETHEUS_QUERY)) return [];
  const [given, missing] = env.BLOCK_PROMETHEUS_URL
    ? ['BLOCK_PROMETHEUS_URL', 'BLOCK_PROMETHEUS_QUERY']
    : ['BLOCK_PROMETHEUS_QUERY', 'BLOCK_PROMETHEUS_URL'];
  return [
    `${missing}: required with ${given} (a Prometheus blocker needs both the server and the query), or unset both`,
  ];
}

/** `state.json` → `state.dry-run.json`: where a dry run keeps what it decided. */
const dryRunTwin = (path: string) => {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.dry-run${ext}`;
};

/**
 * The files of the job store. A dry run keeps its own (even with STATE_FILE or AUDIT_FILE
 * given), so nothing it decided, by hand or by AUTO_APPROVE, is ever run by a real `serve`.
 * The control socket sits beside the state file, so `approve|deny` reach the `serve` that
 * holds the same state (a dry one with DRY_RUN, else the real one).
 */
function storeFiles(env: Env) {
  const ours = (path: string) => resolve(env.DRY_RUN ? dryRunTwin(path) : path);
  const stateFile = ours(env.STATE_FILE);
  const auditFile = ours(env.AUDIT_FILE ?? join(dirname(resolve(env.STATE_FILE)), 'audit.jsonl'));
  return { stateFile, auditFile, controlSocket: `${stateFile}.sock` };
}

function shape(env: Env) {
  return {
    logLevel: env.LOG_LEVEL,
    dryRun: env.DRY_RUN,
    store: storeFiles(env),
    oci: {
      auth: env.OCI_AUTH,
      configFile: env.OCI_CONFIG_FILE,
      profile: env.OCI_PROFILE,
      tenancy: env.OCI_TENANCY_OCID,
      region: env.OCI_REGION,
      endpoint: env.OCI_ENDPOINT,
      compartments: env.OCI_COMPARTMENTS,
      concurrency: env.OCI_DISCOVERY_CONCURRENCY,
      tag: env.OCI_MAINTENANCE_TAG,
    },
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      apiUrl: env.SLACK_API_URL,
      mode: env.SLACK_MODE,
      channel: env.SLACK_CHANNEL,
      approvers: env.SLACK_APPROVERS,
      digestThreshold: env.SLACK_DIGEST_THRESHOLD,
      port: env.PORT,
    },
    pipeline: {
      discoveryCron: env.DISCOVERY_CRON,
      maxWorkers: env.MAX_WORKERS,
      maxPartitionOutPercent: env.MAX_PARTITION_OUT_PERCENT,
      maxNodesOut: env.MAX_NODES_OUT,
      autoApprove: env.AUTO_APPROVE,
      leadTimeMs: env.LEAD_TIME,
      fixedWindowDrainLeadMs: env.FIXED_WINDOW_DRAIN_LEAD,
      drainTimeoutMs: env.DRAIN_TIMEOUT,
      dueWarningMs: env.DUE_WARNING,
      maintenanceTimeoutMs: env.MAINTENANCE_TIMEOUT,
      pollInitialMs: env.POLL_INITIAL,
      pollMaxMs: env.POLL_MAX,
      backTimeoutMs: env.BACK_TIMEOUT,
      failMode: env.FAIL_MODE,
      ticketWebhookUrl: env.TICKET_WEBHOOK_URL,
      bookkeepingWebhookUrl: env.BOOKKEEPING_WEBHOOK_URL,
      webhookTimeoutMs: env.WEBHOOK_TIMEOUT,
      triageTerminate: env.TRIAGE_TERMINATE,
    },
    gates: {
      windows: env.MAINTENANCE_WINDOWS,
      blockFile: env.BLOCK_FILE,
      slurmReservations: env.BLOCK_SLURM_RESERVATIONS,
      prometheus:
        env.BLOCK_PROMETHEUS_URL && env.BLOCK_PROMETHEUS_QUERY
          ? { url: env.BLOCK_PROMETHEUS_URL, query: env.BLOCK_PROMETHEUS_QUERY }
          : undefined,
    },
    slurm: {
      conf: env.SLURM_CONF,
      binDir: env.SLURM_BIN_DIR,
      timeoutMs: env.SLURM_TIMEOUT,
      nodeMapping: env.NODE_MAPPING,
      mgmtCommand: env.OCI_HPC_MGMT_COMMAND,
    },
    health: {
      transport: env.HEALTH_TRANSPORT,
      checks: env.HEALTH_CHECKS ?? defaultChecks(env.HEALTH_TRANSPORT),
      dcgmLevel: env.HEALTH_DCGM_LEVEL,
      expectGpus: env.HEALTH_EXPECT_GPUS,
      timeoutMs: env.HEALTH_TIMEOUT,
      shapeOverrides: env.HEALTH_SHAPES,
      ssh: {
        user: env.SSH_USER,
        key: env.SSH_KEY,
        port: env.SSH_PORT,
        proxyJump: env.SSH_PROXY_JUMP,
        connectTimeoutMs: env.SSH_CONNECT_TIMEOUT,
      },
    },
  };
}

export type Config = ReturnType<typeof shape>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `Pitstop cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const isSecret = (name: string) => (SECRET_VARIABLES as readonly string[]).includes(name);

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`PITSTOP_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([
      `PITSTOP_CONFIG: ${path} is not a JSON object of VARIABLE: value (${(error as Error).message})`,
    ]);
  }
}

/**
 * Reads the configuration. Every invalid variable is reported at once, with what it expects;
 * secret values are never echoed. Unknown keys in the config file are errors (likely typos).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = new Set(Object.keys(EnvSchema.shape));
  const fromFile = env.PITSTOP_CONFIG ? readConfigFile(env.PITSTOP_CONFIG) : {};
  const unknown = Object.keys(fromFile).filter((key) => !known.has(key));
  const fromEnv = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.has(key) && value !== ''),
  );
  const result = EnvSchema.safeParse({ ...fromFile, ...fromEnv });
  const problems = unknown.map((key) => `${key} (in ${env.PITSTOP_CONFIG}): not a Pitstop setting`);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(config)');
      const given = (fromEnv as Record<string, unknown>)[name] ?? fromFile[name];
      const shown = isSecret(name) || given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  problems.push(...healthProblems(result.data!), ...gateProblems(result.data!));
  const config = shape(result.data!);
  const slack = config.slack;
  if (slack.botToken && slack.mode === 'socket' && !slack.appToken) {
    problems.push('SLACK_APP_TOKEN: required with SLACK_MODE=socket (an xapp- token with connections:write)');
  }
  if (slack.botToken && slack.mode === 'http' && !slack.signingSecret) {
    problems.push('SLACK_SIGNING_SECRET: required with SLACK_MODE=http, to verify requests come from Slack');
  }
  if (slack.botToken && !slack.channel) problems.push('SLACK_CHANNEL: required when Slack is configured');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
