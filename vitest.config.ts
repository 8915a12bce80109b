import { defineConfig } from 'vitest/config';

/**
 * Two projects: fast unit tests (`npm run test:unit`) and the suites that start real processes —
 * CLI commands, bot replicas, Prometheus, the benchmark — named `*.process.test.ts`. `npm test`
 * runs both.
 */
export default defineConfig({
  test: {
    environment: 'node',
    // Loopback servers and child processes make some tests slower than unit tests; none should hang.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    // A promise that rejects unhandled fails the test it happened in.
    setupFiles: ['tests/setup/unhandled.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.process.test.ts'],
        },
      },
      { extends: true, test: { name: 'processes', include: ['tests/**/*.process.test.ts'] } },
    ],
  },
});
