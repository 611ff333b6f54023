/**
 * Where the test databases live: DATABASE_URL's server when set (CI: the machine's PostgreSQL 15),
 * otherwise the embedded PostgreSQL that global-setup starts and describes in TEST_DATABASE_URL.
 * Every test file gets its own database, cloned from a migrated template, so files run in parallel
 * without sharing rows.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The migrated template of this jest run: one per run (global-setup names it after its process),
 * so that runs sharing a server (the machine's PostgreSQL) never drop each other's template.
 */
export function templateDatabase(): string {
  const name = process.env.TEST_TEMPLATE_DATABASE;
  if (!name) throw new Error('No test template database: run tests through jest (global-setup makes one)');
  return name;
}

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('No test database server: run tests through jest (global-setup starts one) or set DATABASE_URL');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `depgate_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
