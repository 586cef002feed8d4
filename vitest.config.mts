import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites left out of `npm run test:fast` (`vitest run --mode fast`), the edit-test loop: those that
 * start processes (servers, scripts, PostgreSQL) or take long. `npm test` runs them all. A new
 * slow suite belongs here, with its reason.
 */
const SLOW_SUITES = [
  'test/audit-crash.e2e-spec.ts', // kills a running service mid-write
  'test/cluster.e2e-spec.ts', // a primary and its worker processes
  'test/console*.e2e-spec.ts', // a browser, on the console `npm run build` made
  'test/create-admin.e2e-spec.ts', // runs the npm script
  'test/embedded-postgres.e2e-spec.ts', // starts PostgreSQL servers
  'test/embedded-service.e2e-spec.ts', // `npm start` on its own PostgreSQL
  'test/fuzz.e2e-spec.ts', // thousands of generated requests
  'test/fuzz-extremes.e2e-spec.ts', // every extreme value in every field of every operation
  'test/health.e2e-spec.ts', // readiness while a PostgreSQL server of its own stops and starts
  'test/migration-check.e2e-spec.ts', // runs the npm script
  'test/outage.e2e-spec.ts', // the database going away under load
  'test/shutdown.e2e-spec.ts', // the service and its embedded PostgreSQL stopping
];

export default defineConfig(({ mode }) => ({
  // SWC keeps the decorator metadata Nest and TypeORM read; esbuild would drop it.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/**/*.e2e-spec.ts', 'src/**/*.spec.ts'],
    exclude: [...configDefaults.exclude, ...(mode === 'fast' ? SLOW_SUITES : [])],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Vitest runs CPUs - 1 files at once: one, on a two-core machine. The suites mostly wait on
    // PostgreSQL, child processes and a browser, so three at once took the suite from about 800 s
    // to about 225 s there, each file still on a database of its own.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
}));
