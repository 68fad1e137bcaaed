import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * `npm run test:chaos` prints, past vitest's own output, one line per chaos case and the total:
 * cases, passed, jobs lost and duplicate side effects (both must be 0).
 */
export default class ChaosReporter implements Reporter {
  private readonly started = Date.now();

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const cases = modules.flatMap((module) => [...module.children.allTests()]).filter((t) => t.meta().chaos);
    let passed = 0;
    let jobsLost = 0;
    let duplicates = 0;
    const lines = cases.map((test) => {
      const chaos = test.meta().chaos!;
      const { mark, ok } = verdictOf(test);
      if (ok) passed++;
      jobsLost += chaos.jobsLost;
      duplicates += chaos.duplicates;
      const seconds = ((test.diagnostic()?.duration ?? 0) / 1000).toFixed(1);
      return `${mark} ${chaos.group}: ${chaos.name} … ${seconds} s`;
    });
    const minutes = ((Date.now() - this.started) / 60_000).toFixed(1);
    process.stdout.write(
      `\n${lines.join('\n')}\n\nchaos: ${cases.length} cases, ${passed} passed, ` +
        `jobs lost ${jobsLost}, duplicate side effects ${duplicates} (${minutes} min)\n`,
    );
  }
}

function verdictOf(test: TestCase): { mark: string; ok: boolean } {
  const state = test.result().state;
  if (state === 'passed') return { mark: '✓', ok: true };
  if (state === 'skipped') return { mark: '-', ok: false };
  return { mark: '✗', ok: false };
}
