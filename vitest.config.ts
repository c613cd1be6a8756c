import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread and binary tests run dist/: build it when stale (see the file).
    globalSetup: ['test/setup/build-dist.ts'],
    // The default report for people, then one plain `N passed, N failed` line for CI.
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
