import type { HealthCheckName, ShapeOverride, ShapeProfile } from '../domain/health-checks.js';
import type { CheckResult, Verdict } from '../domain/verdict.js';
import { decideVerdict } from '../domain/verdict.js';
import type { Clock, Cluster, HealthRunner, HealthTarget, WaitOptions } from '../ports.js';
import { checkCommand } from './check-commands.js';
import { finding } from './parsers/common.js';
import { parseOutput } from './parsers/index.js';
import { shapeProfile } from './shapes.js';
import { type Transport, TransportError } from './transports/transport.js';

export interface HealthSettings {
  checks: HealthCheckName[];
  dcgmLevel: number;
  /** Overrides the shape's GPU count (HEALTH_EXPECT_GPUS). */
  expectGpus?: number;
  /** Longest any one check may run. */
  timeoutMs: number;
  shapeOverrides?: Record<string, ShapeOverride>;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Longest one reachability probe may take. */
  probeTimeoutMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 5_000, maxMs: 60_000, probeTimeoutMs: 30_000 };

export interface HealthRunnerDeps {
  cluster: Pick<Cluster, 'waitBack'>;
  transport: Transport;
  clock: Clock;
  settings: HealthSettings;
  backoff?: Backoff;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Waits until the node is back (slurmd re-registered, then the transport answers), runs the
 * configured checks and judges them. Anything that keeps a check from running or being read
 * becomes an `error` result, so the verdict is ERROR and the node stays out.
 */
export class TransportHealthRunner implements HealthRunner {
  private readonly backoff: Backoff;

  constructor(private readonly deps: HealthRunnerDeps) {
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
  }

  async run(target: HealthTarget, options: WaitOptions): Promise<Verdict> {
    const progress = options.onProgress ?? (() => {});
    const { transport } = this.deps;
    progress(`${target.node}: waiting for slurmd to re-register after ${target.since.toISOString()}`);
    try {
      await this.deps.cluster.waitBack(target.node, target.since, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return decideVerdict([
        finding('node-back', 'error', `${target.node} did not come back: ${(error as Error).message}`),
      ]);
    }
    const unreachable = await this.waitReachable(target, options);
    if (unreachable) return decideVerdict([unreachable]);

    const shape = shapeProfile(target.shape, this.deps.settings.shapeOverrides);
    const expectGpus = this.deps.settings.expectGpus ?? shape?.gpus;
    const results: CheckResult[] = [];
    if (expectGpus === undefined) {
      results.push(
        finding(
          'gpu-count',
          'error',
          `the expected GPU count of ${target.node} is unknown (shape ${target.shape ?? 'not known'}): set HEALTH_EXPECT_GPUS`,
        ),
      );
    }
    for (const check of this.deps.settings.checks) {
      const skipped = shape?.skip[check];
      if (skipped) {
        progress(`${target.node}: ${check} skipped (${skipped})`);
        continue;
      }
      progress(`${target.node}: running ${check} over ${transport.name}`);
      results.push(...(await this.runCheck(target, check, { expectGpus, shape }, options)));
    }
    const verdict = decideVerdict(results);
    progress(
      `${target.node}: ${verdict.status}${verdict.reasons.length ? ` (${verdict.reasons.join('; ')})` : ''}`,
    );
    return verdict;
  }

  private async runCheck(
    target: HealthTarget,
    check: HealthCheckName,
    expectations: { expectGpus?: number; shape?: ShapeProfile },
    options: WaitOptions,
  ): Promise<CheckResult[]> {
    const { transport, clock, settings } = this.deps;
    const spec = checkCommand(check, settings.dcgmLevel);
    const left = options.deadline.getTime() - clock.now().getTime();
    if (left <= 0) return [finding(check, 'error', `not run: the health deadline passed on ${target.node}`)];
    const compact = transport.compact && spec.compactFormat !== undefined;
    const command = compact ? spec.command : { argv: spec.command.argv };
    let output: Awaited<ReturnType<Transport['run']>>;
    try {
      output = await transport.run(target, command, {
        timeoutMs: Math.min(settings.timeoutMs, left),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof TransportError) return [finding(check, 'error', error.message)];
      throw error;
    }
    const program = spec.command.argv[0];
    if (output.exitCode === 127) {
      return [
        finding(
          check,
          'error',
          `${program} is not installed on ${target.node}: install it or drop ${check} from HEALTH_CHECKS`,
        ),
      ];
    }
    // stderr first: parsers skip what precedes their document, and refusals (dmesg) are read.
    const text = output.stderr ? `${output.stderr}\n${output.stdout}` : output.stdout;
    const results = parseOutput(compact ? spec.compactFormat! : spec.format, text, {
      ...expectations,
      since: target.since,
      exitCode: output.exitCode,
    });
    const ran = `"${spec.command.argv.join(' ')}" exited ${output.exitCode} on ${target.node}`;
    const explained = results.some((r) => r.status === 'fail' || r.status === 'error');
    if (output.exitCode !== 0 && !explained) {
      const why = output.stderr.trim().split('\n').pop() ?? '';
      results.push(finding(check, 'error', `${ran}${why ? `: ${why}` : ''}`));
    }
    // An unreadable output names where it came from, so the operator knows where to look.
    return results.map((r) =>
      r.status === 'error' && r.detail.startsWith('could not read')
        ? { ...r, detail: `${r.detail} (${ran})` }
        : r,
    );
  }

  /** The transport's first answer, retried with back-off until the deadline. */
  private async waitReachable(target: HealthTarget, options: WaitOptions): Promise<CheckResult | undefined> {
    const { transport, clock } = this.deps;
    const progress = options.onProgress ?? (() => {});
    const started = clock.now().getTime();
    let delay = this.backoff.initialMs;
    let lastError = 'not tried';
    for (let attempt = 1; ; attempt++) {
      const left = options.deadline.getTime() - clock.now().getTime();
      if (left <= 0) break;
      try {
        await transport.probe(target, {
          timeoutMs: Math.min(this.backoff.probeTimeoutMs, left),
          signal: options.signal,
        });
        progress(`${target.node}: answering over ${transport.name}`);
        return undefined;
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        lastError = error.message;
      }
      const wait = Math.min(delay, options.deadline.getTime() - clock.now().getTime());
      if (wait <= 0) break;
      progress(
        `${target.node}: not answering over ${transport.name} yet (attempt ${attempt}: ${lastError}); next try in ${seconds(wait)}`,
      );
      await clock.sleep(wait, options.signal);
      delay = Math.min(delay * 2, this.backoff.maxMs);
    }
    const waited = clock.now().getTime() - started;
    return finding(
      'reachable',
      'error',
      `${target.node} did not answer over ${transport.name} within ${seconds(waited)}: ${lastError}`,
    );
  }
}
