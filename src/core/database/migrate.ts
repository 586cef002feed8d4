import { DataSource, MigrationExecutor } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** Any fixed number, the same for every instance: the key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_405_193_321;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so several instances
 * starting at once (replicas, a restarted cluster) take turns instead of racing to create the
 * same tables; the later ones find nothing left to do. Runs on a connection of its own without
 * the service's statement timeout: waiting for the lock, or a migration on a large table, may
 * take longer than any request should. Returns the names of the migrations applied.
 */
export async function runMigrationsExclusively(url: string, options: { connectTimeoutMs?: number } = {}): Promise<string[]> {
  const db = new DataSource(dataSourceOptions(url, 1, { connectTimeoutMs: options.connectTimeoutMs }));
  await db.initialize();
  const runner = db.createQueryRunner();
  try {
    // A session lock, held by this runner's connection, on which the migrations then run too.
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(db, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return applied.map((migration) => migration.name);
  } finally {
    // Closing the connection also releases the lock if a migration failed.
    await runner.release();
    await db.destroy();
  }
}
