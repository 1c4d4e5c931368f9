import { defineConfig } from 'vitest/config';

// Tests start real servers, Redis and Chromium on 127.0.0.1: generous but bounded timeouts,
// and files run in separate forks so a crashed server cannot take the whole run down.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules', 'generated/**', 'test/fixtures/**'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
