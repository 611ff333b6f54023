/**
 * The real server process (`src/main.ts` under ts-node, as `npm start` runs it): start-up,
 * readiness, HTTP and WebSocket service, JSON logs, and a clean exit on SIGTERM; with DATABASE_URL
 * and with the embedded PostgreSQL (`npm install && npm start`); and refusal of bad configuration.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, resolveDataDir } from '../../src/database/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../support/database-server';
import { graphql, jsonLines, runScript, waitForReady, type RunningProcess } from './process-support';

const MAIN = 'src/main.ts';
const START_MS = 45_000;
const STOP_MS = 15_000;

const running: RunningProcess[] = [];
const sockets: WsClient[] = [];
function start(env: Record<string, string>): RunningProcess {
  const proc = runScript(MAIN, [], env);
  running.push(proc);
  return proc;
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.dispose()));
  for (const proc of running.splice(0)) proc.kill();
});

describe('npm start with DATABASE_URL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('serves HTTP and graphql-ws, then exits 0 on SIGTERM, closing sockets, with JSON logs', async () => {
    const port = await freePort();
    const key = `dg_e2e_${randomBytes(16).toString('hex')}`;
    const proc = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      SECRET_KEY: randomBytes(32).toString('hex'),
      BOOTSTRAP_API_KEY: key,
      LOG_LEVEL: 'info',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(proc, `${base}/readyz`, START_MS);

    const viewer = await graphql(`${base}/graphql`, '{ viewer { role } }', key);
    expect(viewer).toEqual({ status: 200, body: { data: { viewer: { role: 'ADMIN' } } } });

    // A WebSocket that stays open (lazy: false) until the server goes away.
    let closeEvent: { code: number; reason: string } | undefined;
    const connected = new Promise<void>((resolve, reject) => {
      const ws = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
        lazy: false,
        retryAttempts: 0,
        on: {
          connected: () => resolve(),
          closed: (event) => {
            closeEvent = event as { code: number; reason: string };
          },
          error: reject,
        },
        onNonLazyError: reject,
      });
      sockets.push(ws);
    });
    await connected;
    const overWs = await new Promise<unknown>((resolve, reject) => {
      let result: unknown;
      sockets[0].subscribe({ query: '{ viewer { role } }' }, { next: (v) => (result = v), error: reject, complete: () => resolve(result) });
    });
    expect(overWs).toEqual({ data: { viewer: { role: 'ADMIN' } } });
    expect(closeEvent).toBeUndefined();

    proc.child.kill('SIGTERM');
    const exit = await proc.waitForExit(STOP_MS);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(closeEvent).toBeDefined();
    expect([1000, 1001]).toContain(closeEvent!.code);

    const lines = jsonLines(proc.stdout());
    for (const line of lines) expect(line).toEqual(expect.objectContaining({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) }));
    const messages = lines.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['depgate is listening', 'shutting down', 'depgate stopped']));
    expect(proc.stderr()).toBe('');
  });
});

describe('npm start without DATABASE_URL (embedded PostgreSQL)', () => {
  let dataDir: string;
  beforeAll(() => {
    // mkdtemp makes a 0700 folder: as root, the postgres user cannot reach it, so this also
    // exercises the fallback to a data directory under the system temp dir.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-e2e-data-'));
  });
  afterAll(() => {
    const pgDir = resolveDataDir(path.join(dataDir, 'postgres'));
    stopLeftoverPostgres(pgDir);
    if (pgDir !== path.join(dataDir, 'postgres')) fs.rmSync(path.dirname(pgDir), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts its own database, serves a query and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const key = `dg_e2e_${randomBytes(16).toString('hex')}`;
    const proc = start({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, BOOTSTRAP_API_KEY: key, LOG_LEVEL: 'info' });
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(proc, `${base}/readyz`, START_MS);

    expect(await graphql(`${base}/graphql`, '{ viewer { role } }', key)).toEqual({ status: 200, body: { data: { viewer: { role: 'ADMIN' } } } });
    // SECRET_KEY was generated beside the data on first run.
    expect(fs.readFileSync(path.join(dataDir, 'secret-key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);

    proc.child.kill('SIGTERM');
    const exit = await proc.waitForExit(STOP_MS);
    if (exit.code !== 0) throw new Error(`exit ${JSON.stringify(exit)}\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`);
    const messages = jsonLines(proc.stdout()).map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['embedded PostgreSQL started', 'depgate stopped']));
    // The embedded PostgreSQL went down with it.
    expect(fs.existsSync(path.join(resolveDataDir(path.join(dataDir, 'postgres')), 'postmaster.pid'))).toBe(false);
  });
});

describe('bad configuration', () => {
  it('stops before start-up with a non-zero exit and a message naming the variable', async () => {
    const proc = start({ PORT: 'abc' });
    // The bound includes ts-node starting the process, as START_MS does (a loaded machine takes long).
    const exit = await proc.waitForExit(START_MS);
    expect(exit.code).not.toBe(0);
    expect(proc.stderr()).toMatch(/PORT/);
  });

  it('never prints the value of a bad secret', async () => {
    const secret = 'not-a-valid-secret-key-but-still-secret';
    const proc = start({ DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x', SECRET_KEY: secret });
    const exit = await proc.waitForExit(START_MS);
    expect(exit.code).not.toBe(0);
    expect(proc.stderr()).toMatch(/SECRET_KEY/);
    expect(proc.stdout() + proc.stderr()).not.toContain(secret);
  });
});

/** If a failed test left the embedded postgres running, stop it (we started it). */
function stopLeftoverPostgres(pgDir: string): void {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 'SIGINT'); // postgres: fast shutdown
  } catch {
    // already gone
  }
}
