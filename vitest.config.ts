import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/run-tmpdir.ts'],
    // Integration suites start real daemons (slurmctld, sshd); they share one machine.
    fileParallelism: true,
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
