import { defineConfig } from 'vitest/config';

import base from './vitest.config';

// The fault suite (`npm run test:faults`): stops and starts the shared local PostgreSQL, Redis and
// Kafka, so it runs alone, after every other test, one file at a time. Built from the main config
// by replacing (mergeConfig would append) its file patterns.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['apps/*/src/**/*.faults.ts'],
    testTimeout: 600_000,
    poolOptions: { forks: { singleFork: true } },
  },
});
