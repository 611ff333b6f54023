/**
 * Real depgate server processes (`src/main.ts`, as `npm start` runs it) sharing one database, an
 * Apple simulator in the test process, and helpers to upload a token and read sync runs.
 */
import { randomBytes } from 'node:crypto';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { freePort } from '../../src/database/embedded-postgres';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { createTestDatabase, type TestDatabase } from '../support/database-server';
import { graphql, runScript, waitForReady, type RunningProcess } from './process-support';

export const START_MS = 60_000;

export interface Fleet {
  db: TestDatabase;
  sim: RunningSimulator;
  key: string;
  secretKey: string;
  pg: Client;
  instances: Instance[];
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  sim$<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface Instance {
  name: string;
  proc: RunningProcess;
  base: string;
  gql(query: string, variables?: Record<string, unknown>): Promise<any>;
  ws(): WsClient;
}

export async function startFleet(): Promise<Fleet> {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, host: '127.0.0.1' });
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const key = `dg_e2e_${randomBytes(16).toString('hex')}`;
  const secretKey = randomBytes(32).toString('hex');
  const sockets: WsClient[] = [];
  const fleet: Fleet = {
    db,
    sim,
    key,
    secretKey,
    pg,
    instances: [],
    async start(name, env = {}) {
      const port = await freePort();
      const proc = runScript('src/main.ts', [], {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        SECRET_KEY: secretKey,
        BOOTSTRAP_API_KEY: key,
        APPLE_DEP_API_URL: sim.url,
        MANUAL_SYNC_MIN_INTERVAL_S: '0',
        FULL_SYNC_MIN_INTERVAL_S: '0',
        LOG_LEVEL: 'info',
        ...env,
      });
      const base = `http://127.0.0.1:${port}`;
      await waitForReady(proc, `${base}/readyz`, START_MS);
      const instance: Instance = {
        name,
        proc,
        base,
        async gql(query, variables) {
          const res = await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ query, variables }),
          });
          return res.json();
        },
        ws() {
          const client = createClient({
            url: `ws://127.0.0.1:${port}/graphql`,
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${key}` },
            retryAttempts: 0,
            lazy: true,
          });
          sockets.push(client);
          return client;
        },
      };
      fleet.instances.push(instance);
      return instance;
    },
    async sim$(method, path, body) {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`simulator ${method} ${path} -> ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      await Promise.all(sockets.splice(0).map((s) => s.dispose()));
      for (const instance of fleet.instances) instance.proc.kill();
      await Promise.all(fleet.instances.map((i) => i.proc.exited));
      await pg.end().catch(() => undefined);
      await sim.close();
      await db.drop();
    },
  };
  return fleet;
}

/** Key pair on `instance`, an MDM server with `devices` at the simulator, the token uploaded. Returns ids. */
export async function uploadToken(fleet: Fleet, instance: Instance, devices: number): Promise<{ id: string; rowId: string; serverUuid: string }> {
  const kp = await instance.gql(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`);
  const keyPair = kp.data.createDepTokenKeyPair.keyPair;
  const server = await fleet.sim$('POST', '/_sim/servers', {
    certificatePem: keyPair.certificatePem,
    orgName: 'E2E Corp',
    serverName: `E2E ${randomBytes(3).toString('hex')}`,
    accessTokenExpiry: new Date(Date.now() + 300 * 86400_000).toISOString(),
  });
  if (devices > 0) await fleet.sim$('POST', `/_sim/servers/${server.serverUuid}/devices`, { count: devices });
  const up = await instance.gql(`mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
    input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com' },
  });
  if (up.errors) throw new Error(JSON.stringify(up.errors));
  const id = up.data.uploadDepToken.token.id;
  const rowId = Buffer.from(id, 'base64url').toString('utf8').split(':')[1];
  return { id, rowId, serverUuid: server.serverUuid };
}

export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function syncRuns(fleet: Fleet, tokenRowId: string): Promise<any[]> {
  return (await fleet.pg.query(`SELECT * FROM sync_runs WHERE token_id = $1 ORDER BY seq`, [tokenRowId])).rows;
}

export async function waitIdle(fleet: Fleet, tokenRowId: string, timeoutMs = 60_000): Promise<any[]> {
  await until(
    async () => (await syncRuns(fleet, tokenRowId)).every((r) => !['QUEUED', 'RUNNING'].includes(r.status)) && (await syncRuns(fleet, tokenRowId)).length > 0,
    'the token’s syncs to finish',
    timeoutMs,
  );
  return syncRuns(fleet, tokenRowId);
}

/** Live synced serials in depgate, and Apple's, both sorted. */
export async function bothSides(fleet: Fleet, tokenRowId: string, serverUuid: string): Promise<{ depgate: string[]; apple: string[] }> {
  const rows = (
    await fleet.pg.query(
      `SELECT serial_number FROM devices WHERE token_id = $1 AND deleted_at IS NULL AND last_synced_at IS NOT NULL ORDER BY serial_number`,
      [tokenRowId],
    )
  ).rows;
  const apple = (await fleet.sim$('GET', `/_sim/servers/${serverUuid}/devices`)).devices.map((d: any) => d.serial_number).sort();
  return { depgate: rows.map((r: any) => r.serial_number).sort(), apple };
}

/** JSON log lines of a process; a line still being written (not JSON yet) is skipped. */
export function logLines(text: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const line of text.split('\n')) {
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object') out.push(value);
    } catch {
      // partial or non-JSON line
    }
  }
  return out;
}

export { graphql };
