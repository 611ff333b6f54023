import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { TEMPLATE_DATABASE, databaseUrl, withAdminClient } from './database-server';

declare global {
  // eslint-disable-next-line no-var
  var __depgateEmbedded: EmbeddedDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `depgate-test-pg-${process.pid}`, 'postgres'),
      database: 'postgres',
    });
    globalThis.__depgateEmbedded = embedded;
    process.env.TEST_DATABASE_URL = embedded.url; // workers inherit this
  }
  await withAdminClient(async (c) => {
    // Another run on this server may be cloning the template right now: replace it under a lock.
    await c.query('SELECT pg_advisory_lock(7401230002)');
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
    await c.query('SELECT pg_advisory_unlock(7401230002)');
  });
  const dataSource = createDataSource(databaseUrl(TEMPLATE_DATABASE), { poolSize: 2 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();
}
