/**
 * The API-key principal cache (src/auth/principal-cache.ts) across two instances of one database:
 * a key revoked on one instance is refused on the other as soon as the events channel tells it,
 * a revocation the channel could not deliver is forgotten when the channel comes back, and no
 * entry outlives its ten seconds on the injected clock.
 */
import { startApp, type App } from '../../../src/app';
import { createLogger } from '../../../src/logger';
import { Topic } from '../../../src/events/topics';
import { fromGlobalId } from '../../../src/graphql/global-id';
import { withAdminClient } from '../../support/database-server';
import { startTestApp, type TestApp } from '../../support/test-app';
import { waitFor } from '../../support/wait-for';

let a: TestApp;
let b: App;
let bUrl: string;
let bListenerPid: number;
const bLogs: string[] = [];

const listenerPids = () =>
  withAdminClient(async (c) => {
    const { rows } = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'`, [a.db.name]);
    return rows.map((r) => r.pid);
  });

beforeAll(async () => {
  a = await startTestApp();
  const before = await listenerPids();
  b = await startApp({ ...a.app.config, port: 0 }, { clock: a.clock, logger: createLogger('info', { write: (line: string) => void bLogs.push(line) }), sync: { enabled: false } });
  bUrl = b.server.url;
  const mine = (await listenerPids()).filter((pid) => !before.includes(pid));
  expect(mine).toHaveLength(1);
  bListenerPid = mine[0];
});
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

async function viewerOnB(key: string): Promise<number> {
  const res = await fetch(bUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: '{"query":"{ viewer { role } }"}',
  });
  await res.json();
  return res.status;
}

const keyId = async (key: string): Promise<string> => (await a.ok('{ viewer { apiKey { id } } }', undefined, key)).viewer.apiKey.id;
// A revocation no instance hears of, as if its notification were lost.
const revokeUnheard = (id: string) => a.app.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [fromGlobalId(id, 'ApiKey')]);

it('refuses on a second instance a key revoked on the first, once the channel reports it', async () => {
  const key = await a.createKey('READER');
  expect(await viewerOnB(key)).toBe(200); // B now holds the key's principal
  const heard = b.services.events.pubSub.subscribe(Topic.API_KEY_REVOKED)[Symbol.asyncIterator]();
  const next = heard.next();
  await a.ok('mutation ($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { id } } }', { id: await keyId(key) });
  // The revoking instance refuses at once, before any notification.
  expect((await a.gql('{ viewer { role } }', undefined, key)).status).toBe(401);
  await next;
  await heard.return?.();
  expect(await viewerOnB(key)).toBe(401);
});

it('remembers a valid key (a revocation nobody hears of is not seen) for at most ten seconds', async () => {
  const key = await a.createKey('READER');
  expect(await viewerOnB(key)).toBe(200);
  await revokeUnheard(await keyId(key));
  expect(await viewerOnB(key)).toBe(200);
  a.clock.advance(10_000);
  expect(await viewerOnB(key)).toBe(401);
});

it('forgets every key when the events channel comes back after a drop (events sent meanwhile were missed)', async () => {
  const key = await a.createKey('OPERATOR');
  expect(await viewerOnB(key)).toBe(200);
  await revokeUnheard(await keyId(key));
  await withAdminClient((c) => c.query('SELECT pg_terminate_backend($1)', [bListenerPid]));
  // Logged just before the reconnect hook runs, in the same turn.
  await waitFor(() => bLogs.some((l) => l.includes('events listener reconnected')), 'the second instance listening again');
  expect(await viewerOnB(key)).toBe(401);
});
