import { defineConfig } from 'vitest/config';

/**
 * `npm run contract`: the contract suites alone, one file at a time, against the target that
 * contract-tests/support/target.ts resolves (AVISIM_TARGET, or an avisim in the test process).
 * A real controller answers slower than an in-process simulator, hence the longer timeouts.
 */
export default defineConfig({
  test: {
    include: ['contract-tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
