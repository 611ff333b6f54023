/**
 * Starts a real depgate instance for a test file: its own database, a real HTTP + WebSocket server
 * on a free port, an injectable clock, and the log lines captured so tests can assert on them.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, type App } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import type { SyncServiceOptions } from '../../src/sync/sync.service';
import type { DepClientTuning } from '../../src/tokens/dep-client.factory';
import { createTestDatabase, type TestDatabase } from './database-server';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  headers: Headers;
}

export interface TestApp {
  app: App;
  db: TestDatabase;
  clock: ManualClock;
  url: string;
  /** An unrestricted ADMIN key (BOOTSTRAP_API_KEY). */
  adminKey: string;
  secretKey: string;
  /** The Apple simulator the app talks to (started when `simulator: true`). */
  sim?: RunningSimulator;
  /** Calls the simulator's control API (`/_sim/...`). */
  simControl<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  logs: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<T>;
  ws(key?: string | null): WsClient;
  createKey(role: 'READER' | 'OPERATOR' | 'ADMIN', scopeTagIds?: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  /** Start an Apple simulator on the same clock and point APPLE_DEP_API_URL at it. */
  simulator?: boolean;
  /**
   * Run the sync engine: workers, the sync that follows each upload, and (only when a test calls
   * `app.services.sync.tick()`) the scheduler. Off by default, so that no background sync races
   * the tests of other features; `true` or options turn it on.
   */
  sync?: boolean | SyncServiceOptions;
  /** Apple client tuning; default: real HTTP, fast retries, no real waiting. */
  appleTuning?: DepClientTuning;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock('2026-11-26T09:00:00Z');
  const sim = options.simulator ? await startSimulator({ port: 0, host: '127.0.0.1', clock }) : undefined;
  const db = await createTestDatabase();
  const secretKey = randomBytes(32).toString('hex');
  const adminKey = `dg_bootstrap_${randomBytes(16).toString('hex')}`;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    SECRET_KEY: secretKey,
    BOOTSTRAP_API_KEY: adminKey,
    LOG_LEVEL: 'info',
    ...(sim
      ? {
          APPLE_DEP_API_URL: sim.url,
          APPLE_VPP_API_URL: sim.vppUrl,
          APPLE_BUSINESS_API_URL: sim.businessUrl,
          APPLE_SCHOOL_API_URL: sim.schoolUrl,
          APPLE_OAUTH_TOKEN_URL: sim.oauthTokenUrl,
        }
      : {}),
    ...options.env,
  });
  const app = await startApp(config, {
    clock,
    logger: createLogger('info', sink),
    // Real HTTP, but no real waiting between retries.
    appleTuning: options.appleTuning ?? { timeoutMs: 2000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined },
    // No scheduler timer: tests move the clock and call tick() themselves.
    sync: options.sync
      ? { schedulerIntervalMs: 0, watchdogIntervalMs: 20, pollingIntervalSeconds: 0.5, ...(typeof options.sync === 'object' ? options.sync : {}) }
      : { enabled: false },
  });
  const url = app.server.url;
  const sockets: WsClient[] = [];

  const gql: TestApp['gql'] = async (query, variables, key = adminKey) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as any;
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };

  const testApp: TestApp = {
    app,
    db,
    clock,
    url,
    adminKey,
    secretKey,
    sim,
    async simControl(method, path, body) {
      if (!sim) throw new Error('startTestApp: pass { simulator: true } to use the simulator');
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`simulator ${method} ${path} -> ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    logs,
    gql,
    async ok(query, variables, key) {
      const res = await gql(query, variables, key);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data;
    },
    ws(key = adminKey) {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: key ? { authorization: `Bearer ${key}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      sockets.push(client);
      return client;
    },
    async createKey(role, scopeTagIds = []) {
      const data = await testApp.ok(
        `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
        { input: { name: `${role.toLowerCase()}-${randomBytes(3).toString('hex')}`, role, scopeTagIds } },
      );
      return data.createApiKey.secret;
    },
    async close() {
      await Promise.all(sockets.map((s) => s.dispose()));
      await app.stop();
      await sim?.close();
      await db.drop();
    },
  };
  return testApp;
}

/** Runs a single operation over graphql-ws and resolves with its first result. */
export function wsRequest<T = any>(client: WsClient, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: any;
    client.subscribe(
      { query, variables },
      { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
    );
  });
}
