import { MigrationExecutor, type DataSource } from 'typeorm';

/** Any fixed number: every instance takes the same lock, so concurrent starts migrate once. */
const MIGRATION_LOCK_KEY = 7_401_230_001;

/**
 * Runs pending migrations under a PostgreSQL advisory lock; returns the names applied. They run on
 * the connection holding the lock, without the pool's statement_timeout (an index built over a
 * large table may take minutes), which is restored before the connection goes back to the pool.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // First: waiting for the lock while another instance migrates is not a request either.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((m) => m.name);
  } finally {
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
