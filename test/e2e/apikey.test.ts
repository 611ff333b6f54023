/**
 * `npm run apikey` as a real process against a fresh database: the key it prints works against a
 * running server; `list` shows it without the secret; `revoke` turns it off.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { startApp, type App } from '../../src/app';
import { AccessScope } from '../../src/auth/access-scope';
import { SECRET_PREFIX_LENGTH } from '../../src/auth/api-key.secret';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support/database-server';
import { graphql, runScript } from './process-support';

const SCRIPT = 'scripts/apikey.ts';
const EXIT_MS = 30_000;

let db: TestDatabase;
let app: App;
const secretKey = randomBytes(32).toString('hex');

async function apikey(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runScript(SCRIPT, args, { DATABASE_URL: db.url, SECRET_KEY: secretKey });
  const exit = await proc.waitForExit(EXIT_MS);
  return { code: exit.code, stdout: proc.stdout(), stderr: proc.stderr() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, SECRET_KEY: secretKey, LOG_LEVEL: 'silent' });
  app = await startApp(config, { logger: createLogger('silent') });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

it('creates a key whose secret is printed once and works, lists it, and revokes it', async () => {
  const created = await apikey('create', '--role', 'OPERATOR', '--name', 'ops');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(created.stdout).toMatch(/shown only this once/);
  const secret = /^(dg_\S+)$/m.exec(created.stdout)?.[1];
  expect(secret).toBeDefined();

  const viewer = await graphql(app.server.url, '{ viewer { role unrestricted apiKey { id name } } }', secret);
  expect(viewer.body.data.viewer).toMatchObject({ role: 'OPERATOR', unrestricted: true, apiKey: { name: 'ops' } });
  const id = viewer.body.data.viewer.apiKey.id as string;
  expect(created.stdout).toContain(id);

  // Stored hashed: the secret is nowhere in the table.
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT * FROM api_keys WHERE name = 'ops'`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret!.slice(SECRET_PREFIX_LENGTH));
  } finally {
    await client.end();
  }

  const listed = await apikey('list', '--json');
  expect(listed.code).toBe(0);
  const rows = JSON.parse(listed.stdout) as { id: string; name: string; role: string; revokedAt: string | null }[];
  expect(rows).toEqual([expect.objectContaining({ id, name: 'ops', role: 'OPERATOR', revokedAt: null })]);
  expect(listed.stdout).not.toContain(secret!);

  // An open subscription of the key, to see the revocation reach the running server.
  const ws = createClient({ url: app.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${secret}` }, retryAttempts: 0 });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.subscribe({ query: 'subscription { alertRaised { id } }' }, { next: () => undefined, error: (e: any) => resolve(e), complete: () => undefined });
  });
  await new Promise<void>((resolve, reject) => ws.subscribe({ query: '{ viewer { role } }' }, { next: () => undefined, error: reject, complete: resolve }));

  const revoked = await apikey('revoke', id);
  expect(revoked.code).toBe(0);
  expect(revoked.stdout).toMatch(/Revoked API key "ops"/);
  // The server had the key's principal in memory: the CLI told it over the events channel.
  await expect(closed).resolves.toMatchObject({ code: 4403, reason: 'API key revoked' });
  expect((await graphql(app.server.url, '{ viewer { role } }', secret)).status).toBe(401);
});

it('restricts a key to the scope tags named with --scope-tag', async () => {
  await app.services.scopeTags.create('EMEA', null, new AccessScope({ scopeTagIds: [] }));
  const created = await apikey('create', '--role', 'READER', '--name', 'emea-dashboard', '--scope-tag', 'emea', '--json');
  expect(created.code).toBe(0);
  const output = JSON.parse(created.stdout) as { secret: string; scopeTags: string[]; role: string };
  expect(output).toMatchObject({ role: 'READER', scopeTags: ['EMEA'] });
  const viewer = await graphql(app.server.url, '{ viewer { unrestricted apiKey { scopeTags { name } } } }', output.secret);
  expect(viewer.body.data.viewer).toEqual({ unrestricted: false, apiKey: { scopeTags: [{ name: 'EMEA' }] } });
});

it('refuses bad input with a non-zero exit and a usage hint', async () => {
  const badRole = await apikey('create', '--role', 'ROOT', '--name', 'x');
  expect(badRole.code).toBe(2);
  expect(badRole.stderr).toMatch(/--role must be one of READER, OPERATOR, ADMIN/);

  const unknownTag = await apikey('create', '--role', 'READER', '--name', 'x', '--scope-tag', 'apac');
  expect(unknownTag.code).toBe(2);
  expect(unknownTag.stderr).toMatch(/No scope tag named "apac"/);

  const unknownKey = await apikey('revoke', '00000000-0000-4000-8000-000000000000');
  expect(unknownKey.code).toBe(1);
  expect(unknownKey.stderr).toMatch(/not found/);
});
