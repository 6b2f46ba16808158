import swc from 'unplugin-swc';
import tsconfigPaths from 'vite-tsconfig-paths';
import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace. Unit specs sit beside the code (`*.spec.ts`);
// integration and end-to-end specs (`*.int.spec.ts`, `*.e2e.spec.ts`) talk to the real
// Postgres, Redis and Kafka that `npm test` starts before vitest runs.
export default defineConfig({
  plugins: [tsconfigPaths({ projects: ['tsconfig.base.json'] }), swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'libs/*/test/**/*.spec.ts', 'tools/**/*.spec.ts'],
    exclude: ['**/node_modules/**', 'apps/web/.next/**'],
    environment: 'node',
    globalSetup: ['libs/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: false, maxForks: 2 } },
    env: { TZ: 'UTC' },
  },
});
