import type { DataSource } from 'typeorm';

/** Any fixed number: every instance takes the same lock, so concurrent starts migrate once. */
const MIGRATION_LOCK_KEY = 7_401_230_001;

/** Runs pending migrations under a PostgreSQL advisory lock; returns the names applied.
 * Needs two pooled connections: one holds the lock while TypeORM migrates on another. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
