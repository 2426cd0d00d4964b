import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/dashboard-build.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Real-service suites share one Mosquitto, Redis and MariaDB; each file isolates itself
    // (topic prefix, key prefix, database name), so files may run in parallel.
    fileParallelism: true,
  },
});
