import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';
import { installTimestampParser } from './timestamp-parser';

/**
 * The one way depgate opens PostgreSQL. Schema changes only through migrations; `synchronize` is
 * never on. Entities and migrations are listed explicitly (no globs) so jest, ts-node and a
 * compiled build load the same classes.
 */
export function createDataSource(
  url: string,
  options: {
    poolSize?: number;
    applicationName?: string;
    /**
     * statement_timeout of every pooled connection (REQUEST_STATEMENT_TIMEOUT_MS): no statement a
     * request sends runs or waits for a lock longer. Background work shares the pool; what may
     * rightly take longer lifts it for itself (migrations, liftStatementTimeout).
     */
    statementTimeoutMs?: number;
  } = {},
): DataSource {
  installTimestampParser();
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'depgate',
    extra: options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {},
  });
}

/** True when every migration the code knows has been applied (readiness). */
export async function migrationsApplied(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
