/**
 * The one way a test skips for a missing system tool: `describe.skipIf(missingTool(reason))`,
 * where `reason` is null when the tool is there, else what is missing and the package that
 * installs it. Outside CI the tests are skipped with that reason; under CI=true the file fails
 * with it instead, because a skip there hides an install step missing from .ci/run.
 * (test/skips.test.ts holds every skip in the test tree to this helper.)
 */
export function missingTool(reason: string | null): boolean {
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true, so this test may not skip, but ${reason}`);
  console.warn(`skipping: ${reason}`);
  return true;
}
