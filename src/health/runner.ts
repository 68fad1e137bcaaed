import type { HealthCheckName, ShapeOverride, ShapeProfile } from '../domain/health-checks.js';
import type { CheckResult, Verdict } from '../domain/verdict.js';
import { decideVerdict } from '../domain/verdict.js';
import type { Clock, Cluster, HealthRunner, HealthRunOptions, HealthTarget, WaitOptions } from '../ports.js';
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
  /**
   * How long the checks may take from when the node answered (HEALTH_TIMEOUT); also the
   * longest any one check may run.
   */
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
 * Waits until the node is back (slurmd re-registered, then the transport answers) by the back
 * deadline, then runs the configured checks within their own budget and judges them. A check
 * whose transport fails in a way that may heal is retried with back-off first. Anything that keeps a check from running or being read
 * becomes an `error` result, so the verdict is ERROR and the node stays out.
 */
export class TransportHealthRunner implements HealthRunner {
  private readonly backoff: Backoff;

  constructor(private readonly deps: HealthRunnerDeps) {
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
  }

  async run(target: HealthTarget, options: HealthRunOptions): Promise<Verdict> {
    const progress = options.onProgress ?? (() => {});
    const { transport, clock, settings } = this.deps;
    const back: WaitOptions = {
      deadline: options.backDeadline,
      onProgress: progress,
      signal: options.signal,
    };
    progress(`${target.node}: waiting for slurmd to re-register after ${target.since.toISOString()}`);
    try {
      await this.deps.cluster.waitBack(target.node, target.since, back);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return decideVerdict([
        finding('node-back', 'error', `${target.node} did not come back: ${(error as Error).message}`),
      ]);
    }
    const unreachable = await this.waitReachable(target, back);
    if (unreachable) return decideVerdict([unreachable]);

    // The checks' own budget starts when the node answered, whatever the wait for it took.
    const checks: WaitOptions = {
      deadline: new Date(clock.now().getTime() + settings.timeoutMs),
      onProgress: progress,
      signal: options.signal,
    };
    const shape = shapeProfile(target.shape, settings.shapeOverrides);
    const expectGpus = settings.expectGpus ?? shape?.gpus;
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
    for (const check of settings.checks) {
      const skipped = shape?.skip[check];
      if (skipped) {
        progress(`${target.node}: ${check} skipped (${skipped})`);
        continue;
      }
      progress(`${target.node}: running ${check} over ${transport.name}`);
      results.push(...(await this.runCheck(target, check, { expectGpus, shape }, checks)));
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
    const { transport, settings } = this.deps;
    const spec = checkCommand(check, settings.dcgmLevel);
    const compact = transport.compact && spec.compactFormat !== undefined;
    const command = compact ? spec.command : { argv: spec.command.argv };
    const ran = `"${spec.command.argv.join(' ')}"`;
    let reported = false;
    const attempt = await this.retrying(
      (timeoutMs) => transport.run(target, command, { timeoutMs, signal: options.signal }),
      (error) => error.kind === 'unreachable',
      options,
      (n, error, wait) => {
        // Once per check: the thread learns the node wavers, not every retry.
        if (reported) return;
        reported = true;
        progress(options)(
          `${target.node}: ${check} could not run (attempt ${n}: ${error.message}); retrying with back-off until ${options.deadline.toISOString()}, next try in ${seconds(wait)}`,
        );
      },
      settings.timeoutMs,
    );
    if (!attempt.ok) {
      return [
        finding(
          check,
          'error',
          attempt.error ? attempt.error.message : `not run: the health deadline passed on ${target.node}`,
        ),
      ];
    }
    const output = attempt.value;
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
    const exited = `${ran} exited ${output.exitCode} on ${target.node}`;
    if (output.exitCode === 0 && output.stdout.trim() === '') {
      const why = lastLine(output.stderr);
      return [finding(check, 'error', `${ran} printed nothing on ${target.node}${why ? `: ${why}` : ''}`)];
    }
    // stderr first: parsers skip what precedes their document, and refusals (dmesg) are read.
    const text = output.stderr ? `${output.stderr}\n${output.stdout}` : output.stdout;
    const results = parseOutput(compact ? spec.compactFormat! : spec.format, text, {
      ...expectations,
      since: target.since,
      exitCode: output.exitCode,
    });
    const explained = results.some((r) => r.status === 'fail' || r.status === 'error');
    if (output.exitCode !== 0 && !explained) {
      // A compact script says last which stage failed and why; a plain command says it on stderr.
      const why = lastLine(output.stderr) || lastLine(output.stdout);
      results.push(finding(check, 'error', `${exited}${why ? `: ${why}` : ''}`));
    }
    // An unreadable output names where it came from, so the operator knows where to look.
    return results.map((r) =>
      r.status === 'error' && r.detail.startsWith('could not read')
        ? { ...r, detail: `${r.detail} (${exited})` }
        : r,
    );
  }

  /** The transport's first answer, retried with back-off until the deadline. */
  private async waitReachable(target: HealthTarget, options: WaitOptions): Promise<CheckResult | undefined> {
    const { transport, clock } = this.deps;
    const started = clock.now().getTime();
    const attempt = await this.retrying(
      (timeoutMs) => transport.probe(target, { timeoutMs, signal: options.signal }),
      // A node that is still booting times out or refuses connections; only a lasting refusal ends the wait.
      (error) => error.kind === 'unreachable' || error.kind === 'timeout',
      options,
      (n, error, wait) =>
        progress(options)(
          `${target.node}: not answering over ${transport.name} yet (attempt ${n}: ${error.message}); next try in ${seconds(wait)}`,
        ),
      this.backoff.probeTimeoutMs,
    );
    if (attempt.ok) {
      progress(options)(`${target.node}: answering over ${transport.name}`);
      return undefined;
    }
    const waited = clock.now().getTime() - started;
    return finding(
      'reachable',
      'error',
      `${target.node} did not answer over ${transport.name} within ${seconds(waited)}: ${attempt.error?.message ?? 'not tried'}`,
    );
  }

  /**
   * Runs `once` until it succeeds, retrying the transport failures `transient` accepts with
   * doubling back-off until the deadline. Each try gets at most `limitMs` and what is left.
   */
  private async retrying<T>(
    once: (timeoutMs: number) => Promise<T>,
    transient: (error: TransportError) => boolean,
    options: WaitOptions,
    onRetry: (attempt: number, error: TransportError, waitMs: number) => void,
    limitMs: number,
  ): Promise<{ ok: true; value: T } | { ok: false; error?: TransportError }> {
    const { clock } = this.deps;
    const left = () => options.deadline.getTime() - clock.now().getTime();
    let delay = this.backoff.initialMs;
    let lastError: TransportError | undefined;
    for (let attempt = 1; left() > 0; attempt++) {
      try {
        return { ok: true, value: await once(Math.min(limitMs, left())) };
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        lastError = error;
        if (!transient(error)) break;
      }
      const wait = Math.min(delay, left());
      if (wait <= 0) break;
      onRetry(attempt, lastError, wait);
      await clock.sleep(wait, options.signal);
      delay = Math.min(delay * 2, this.backoff.maxMs);
    }
    return { ok: false, error: lastError };
  }
}

const progress = (options: WaitOptions) => options.onProgress ?? (() => {});

/** The last non-empty line of a command's output. */
const lastLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';
