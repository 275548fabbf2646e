import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    env: { TETHER_LOG_LEVEL: 'silent' },
    // Integration tests share PostgreSQL/Redis and spawn sandboxes: two cores, keep it calm.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
