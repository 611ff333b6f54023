/**
 * The configuration and the database of a command-line script (`npm run apikey`, `npm run
 * rotate-secret-key`), read from the same environment as `npm start`: DATABASE_URL, or with it
 * unset the embedded PostgreSQL under DATA_DIR — the running one when `npm start` has it open,
 * otherwise started for the duration of the command. Pending migrations are applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { createDataSource } from '../src/database/data-source';
import { resolveDataDir, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';

/** The embedded cluster's password sits beside its data directory (see embedded-postgres.ts). */
const EMBEDDED_PASSWORD_FILE = 'depgate-password';
const EMBEDDED_DATABASE = 'depgate';

/** The exit code of a bad configuration, as `npm start` uses it. */
export const EX_CONFIG = 78;

/** The environment's configuration, or undefined after printing what is wrong with it (exit EX_CONFIG). */
export function loadCliConfig(): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

export interface Database {
  dataSource: DataSource;
  close(): Promise<void>;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The port of an embedded PostgreSQL already running on this data directory (`npm start` holds it),
 * read from postmaster.pid; undefined when none is running.
 */
function runningEmbeddedPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale: startEmbeddedPostgres removes it
  }
}

export async function openDatabase(config: Config, applicationName: string): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const wanted = path.join(config.dataDir, 'postgres'); // the same place src/app.ts uses
    const dataDir = resolveDataDir(wanted);
    const port = runningEmbeddedPort(dataDir);
    if (port) {
      const password = fs.readFileSync(path.join(path.dirname(dataDir), EMBEDDED_PASSWORD_FILE), 'utf8').trim();
      url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
      progress(`using the embedded PostgreSQL already running on ${dataDir}`);
    } else {
      progress(`starting the embedded PostgreSQL in ${dataDir} ...`);
      const embedded = await startEmbeddedPostgres({ dataDir: wanted });
      url = embedded.url;
      stopEmbedded = () => embedded.stop();
    }
  }
  const dataSource = createDataSource(url, { poolSize: 3, applicationName });
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    if (applied.length) progress(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    if (stopEmbedded) await stopEmbedded();
    throw error;
  }
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}
