import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { databaseUrl, withAdminClient } from './database-server';

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
  // This run's own template (workers inherit the name): another run on the same server keeps its own.
  const template = `depgate_test_template_${process.pid}`;
  process.env.TEST_TEMPLATE_DATABASE = template;
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${template}`);
  });
  const dataSource = createDataSource(databaseUrl(template), { poolSize: 2 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();
}
