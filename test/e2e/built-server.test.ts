/**
 * The production build: `npm run build`'s configuration (tsconfig.build.json) compiled into a
 * temporary folder, then `node dist/main.js` run from there without ts-node, against an EMPTY
 * database so the compiled migrations create the schema; the compiled `apikey` script works too.
 * The temporary folder holds only `dist/` and a link to node_modules, the layout of a release
 * (scripts/build-release.sh, the Dockerfile), so nothing is read from the TypeScript sources.
 *
 * tsc runs with --noCheck here (transpiling is what this test needs; `npm run typecheck` checks).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { freePort } from '../../src/database/embedded-postgres';
import { databaseUrl, withAdminClient } from '../support/database-server';
import { REPO_ROOT, graphql, runNode, waitForReady, type RunningProcess } from './process-support';

const BUILD_MS = 240_000;
const START_MS = 45_000;

let release: string;
let dbName: string;
const running: RunningProcess[] = [];

beforeAll(async () => {
  release = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-release-'));
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck', '--outDir', path.join(release, 'dist')], {
    cwd: REPO_ROOT,
    timeout: BUILD_MS,
  });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(release, 'node_modules'), 'dir');
  // An empty database (not the migrated template): the build's migrations must create everything.
  dbName = `depgate_test_built_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${dbName}`));
}, BUILD_MS + 30_000);

afterEach(() => {
  for (const proc of running.splice(0)) proc.kill();
});

afterAll(async () => {
  if (dbName) await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  if (release) fs.rmSync(release, { recursive: true, force: true });
});

it('node dist/main.js migrates an empty database, serves /readyz and GraphQL, and exits 0 on SIGTERM', async () => {
  expect(fs.existsSync(path.join(release, 'dist', 'main.js'))).toBe(true);
  const port = await freePort();
  const key = `dg_e2e_${randomBytes(16).toString('hex')}`;
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(dbName),
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOOTSTRAP_API_KEY: key,
  };
  const proc = runNode(['dist/main.js'], env, { cwd: release });
  running.push(proc);
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(proc, `${base}/readyz`, START_MS);

  expect(await graphql(`${base}/graphql`, '{ viewer { role } }', key)).toEqual({ status: 200, body: { data: { viewer: { role: 'ADMIN' } } } });

  const client = new Client({ connectionString: databaseUrl(dbName) });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  } finally {
    await client.end();
  }

  // The compiled scripts run from the release too.
  const list = runNode(['dist/scripts/apikey.js', 'list', '--json'], { DATABASE_URL: env.DATABASE_URL, SECRET_KEY: env.SECRET_KEY }, { cwd: release });
  running.push(list);
  expect(await list.waitForExit(START_MS)).toEqual({ code: 0, signal: null });
  expect(JSON.parse(list.stdout()).map((k: { bootstrap: boolean }) => k.bootstrap)).toEqual([true]);

  proc.child.kill('SIGTERM');
  expect(await proc.waitForExit(15_000)).toEqual({ code: 0, signal: null });
});
