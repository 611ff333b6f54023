/**
 * Two depgate instances on one database evaluating the same crossings at the same moment: every
 * crossing is stored once, announced once (to subscribers on either instance), and each alert
 * reaches a subscriber connected to the other instance (events cross instances).
 */
import { Writable } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, type App } from '../../../src/app';
import { DAY_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { createLogger } from '../../../src/logger';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadDep, uploadVpp } from '../../support/vpp-fixtures';

let t: TestApp;
let b: App;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  // A second instance: same database, same secret key, same (injected) clock, its own server.
  b = await startApp(
    { ...t.app.config, port: 0, bootstrapApiKey: undefined },
    {
      clock: t.clock,
      logger: createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
      appleTuning: { timeoutMs: 2000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined },
      sync: { enabled: false }, // like the test app: no background sync racing the evaluations
    },
  );
});
afterAll(async () => {
  await b?.stop();
  await t.close();
});

function collect(client: Client): { ids: string[]; done: () => void } {
  const ids: string[] = [];
  const done = client.subscribe(
    { query: `subscription { alertRaised { id kind } }` },
    { next: (r: any) => r.data && ids.push(parseGlobalId(r.data.alertRaised.id)!.id), error: (e) => ids.push(`error:${JSON.stringify(e)}`), complete: () => undefined },
  );
  return { ids, done };
}

/** A graphql-ws client on instance B. */
function wsOnB(key: string): Client {
  return createClient({
    url: b.server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
}

async function settle<T>(read: () => Promise<T> | T, done: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('raises each crossing once although both instances evaluate concurrently, and announces it once on each instance', async () => {
  const deps = await Promise.all([uploadDep(t, { expiresInDays: 40 }), uploadDep(t, { expiresInDays: 50 }), uploadDep(t, { expiresInDays: 60 })]);
  const vpps = [await uploadVpp(t, { expiresInDays: 45 }), await uploadVpp(t, { expiresInDays: 55 })];
  const subjects = [...deps.map((d) => d.token.id), ...vpps.map((v) => v.vppToken.id)];
  expect(subjects).toHaveLength(5);

  const onA = collect(t.ws());
  const wsB = wsOnB(t.adminKey);
  const onB = collect(wsB);
  await new Promise((r) => setTimeout(r, 500)); // subscriptions established

  // 35 days on: every token has crossed one expiry threshold (7, 14 or 30 days left), and the DEP
  // tokens have not synced for 3 days.
  t.clock.advance(35 * DAY_MS);
  const passes = [];
  for (let i = 0; i < 4; i++) {
    passes.push(t.app.services.alerts.evaluateAll(), b.services.alerts.evaluateAll());
    for (const d of deps) passes.push(b.services.alerts.evaluateDepToken(parseGlobalId(d.token.id)!.id));
  }
  await Promise.all(passes);

  const rows: { id: string; kind: string; subject_id: string; threshold: number }[] = await t.app.dataSource.query(
    `SELECT id, kind, subject_id, threshold FROM alerts WHERE raised_at = $1`,
    [t.clock.now()],
  );
  const keys = rows.map((r) => `${r.kind}:${r.subject_id}:${r.threshold}`);
  expect(new Set(keys).size).toBe(keys.length);
  const expiring = rows.filter((r) => r.kind.endsWith('_EXPIRING'));
  expect(expiring.map((r) => r.subject_id).sort()).toEqual(subjects.map((id) => parseGlobalId(id)!.id).sort());
  expect(rows.filter((r) => r.kind === 'DEP_SYNC_FAILING').length).toBe(3);
  expect(rows.length).toBe(expiring.length + rows.filter((r) => r.kind === 'DEP_SYNC_FAILING').length);

  const expected = rows.map((r) => r.id).sort();
  const gotA = await settle(() => [...onA.ids].sort(), (v) => v.length >= expected.length);
  const gotB = await settle(() => [...onB.ids].sort(), (v) => v.length >= expected.length);
  await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
  expect(onA.ids.sort()).toEqual(expected);
  expect(onB.ids.sort()).toEqual(expected);
  expect(gotA).toEqual(gotB);
  onA.done();
  onB.done();
  await wsB.dispose();
});

it('the database alone admits one active alert per crossing, whatever the callers do', async () => {
  const dep = await uploadDep(t);
  const id = parseGlobalId(dep.token.id)!.id;
  const insert = (via: App) =>
    via.dataSource.query(
      `INSERT INTO alerts (id, kind, severity, subject_id, dep_token_id, subject_name, threshold, message, raised_at)
       VALUES (gen_random_uuid(), 'DEP_SYNC_FAILING', 'WARNING', $1, $1, 'x', 3, 'm', now())
       ON CONFLICT (kind, subject_id, threshold) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
      [id],
    );
  const inserted = (await Promise.all([t.app, b, t.app, b, t.app, b].map(insert))).flat();
  expect(inserted).toHaveLength(1);
  // Once resolved, the same crossing may be raised again (a new alert).
  await t.app.dataSource.query(`UPDATE alerts SET resolved_at = now(), resolution = 'CLEARED' WHERE dep_token_id = $1`, [id]);
  expect((await Promise.all([insert(t.app), insert(b)])).flat()).toHaveLength(1);
});
