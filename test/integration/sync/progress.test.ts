/**
 * `syncRunProgress` over graphql-ws: every change of a run (queued, running, each page, final), in
 * order, with nested fields read fresh at each event; only runs of tokens the key may see (as the
 * tags are at each event); a malformed tokenId refused at subscribe.
 */
import type { Client } from 'graphql-ws';
import { MINUTE_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { startTestApp, type TestApp } from '../../support/test-app';
import { requestSync, until, uploadToken, waitForIdle, type SyncedToken } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const PROGRESS = `subscription ($tokenId: ID) { syncRunProgress(tokenId: $tokenId) {
  id kind trigger status pagesFetched devicesAdded devicesModified devicesDeleted startedAt finishedAt error { code }
  token { id syncedDeviceCount lastSuccessfulSyncAt }
} }`;

interface Listener {
  events: any[];
  errors: unknown[];
  stop(): void;
  of(runId: string): any[];
}

function listen(client: Client, tokenId?: string): Listener {
  const listener: Listener = {
    events: [],
    errors: [],
    stop: () => undefined,
    of: (runId) => listener.events.filter((e) => e.id === runId),
  };
  listener.stop = client.subscribe(
    { query: PROGRESS, variables: { tokenId } },
    {
      next: (r: any) => (r.errors ? listener.errors.push(...r.errors) : listener.events.push(r.data.syncRunProgress)),
      error: (e) => listener.errors.push(e),
      complete: () => undefined,
    },
  );
  return listener;
}

const globalRunId = (rowId: string) => Buffer.from(`SyncRun:${rowId}`).toString('base64url');

/** Runs a sync on `token` until each listener has received its final event (so they are live). */
async function warmUp(token: SyncedToken, ...listeners: Listener[]): Promise<void> {
  await until(async () => {
    t.clock.advance(15 * MINUTE_MS);
    const runId = globalRunId(await requestSync(t, token));
    await waitForIdle(t, token.rowId);
    return until(() => listeners.every((l) => l.of(runId).some((e) => e.status === 'SUCCEEDED')), 'warm-up events', 2000).then(
      () => true,
      () => false,
    );
  }, 'the subscriptions to be live');
}

const ORDER = ['QUEUED', 'RUNNING', 'SUCCEEDED'];

it('sends the run at every change, in order, with fresh nested fields, until its final state', async () => {
  const warm = await uploadToken(t);
  const all = listen(t.ws());
  await warmUp(warm, all);

  const token = await uploadToken(t, { devices: 2300, waitFirstSync: false });
  await waitForIdle(t, token.rowId);
  const [{ id: rowId }] = await t.app.dataSource.query(`SELECT id FROM sync_runs WHERE token_id = $1`, [token.rowId]);
  await until(() => all.of(globalRunId(rowId)).some((e) => e.status === 'SUCCEEDED'), 'the final event');
  const events = all.of(globalRunId(rowId));
  expect(all.errors).toEqual([]);

  // queued, running, three fetch pages, the end of the fetch, one sync page, succeeded
  expect(events.map((e) => e.status)).toEqual(['QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED']);
  expect(events.map((e) => e.pagesFetched)).toEqual([0, 0, 1, 2, 3, 3, 4, 4]);
  expect(events.map((e) => e.devicesAdded)).toEqual([0, 0, 1000, 2000, 2300, 2300, 2300, 2300]);
  for (let i = 1; i < events.length; i++) expect(ORDER.indexOf(events[i].status)).toBeGreaterThanOrEqual(ORDER.indexOf(events[i - 1].status));
  expect(events[0]).toMatchObject({ kind: 'FULL', trigger: 'TOKEN_UPLOAD', startedAt: null, finishedAt: null, error: null });
  expect(events[1].startedAt).toEqual(expect.any(String));
  expect(events.slice(0, -1).every((e) => e.finishedAt === null)).toBe(true);
  expect(events[events.length - 1].finishedAt).toEqual(expect.any(String));
  // Loaders are fresh per event: the token as it is at the final event, not as first loaded.
  expect(events[0].token).toMatchObject({ id: token.id, syncedDeviceCount: 0, lastSuccessfulSyncAt: null });
  expect(events[events.length - 1].token).toMatchObject({ id: token.id, syncedDeviceCount: 2300, lastSuccessfulSyncAt: expect.any(String) });
  all.stop();
});

it('filters by tokenId, and sends only runs of tokens the key may see, as tagged at each event', async () => {
  const tag = (await t.ok(`mutation { createScopeTag(input: {name: "progress-A"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const a = await uploadToken(t, { scopeTagIds: [tag] });
  const b = await uploadToken(t);
  const scoped = listen(t.ws(await t.createKey('READER', [tag])));
  const onlyB = listen(t.ws(), b.id);
  await warmUp(a, scoped);
  await warmUp(b, onlyB);

  t.clock.advance(15 * MINUTE_MS);
  const runA = globalRunId(await requestSync(t, a));
  const runB = globalRunId(await requestSync(t, b));
  await waitForIdle(t, a.rowId);
  await waitForIdle(t, b.rowId);
  await until(() => scoped.of(runA).some((e) => e.status === 'SUCCEEDED') && onlyB.of(runB).some((e) => e.status === 'SUCCEEDED'), 'final events');
  expect(scoped.events.every((e) => e.token.id === a.id)).toBe(true);
  expect(onlyB.events.every((e) => e.token.id === b.id)).toBe(true);
  expect(onlyB.of(runA)).toEqual([]);

  // Token B gets the tag: the scoped key sees its next run.
  await t.ok(`mutation ($id: ID!, $t: [ID!]!) { updateDepToken(input: {tokenId: $id, scopeTagIds: $t}) { token { id } } }`, { id: b.id, t: [tag] });
  t.clock.advance(15 * MINUTE_MS);
  const runB2 = globalRunId(await requestSync(t, b));
  await until(() => scoped.of(runB2).some((e) => e.status === 'SUCCEEDED'), 'the re-tagged token’s events');
  expect(scoped.errors).toEqual([]);
  scoped.stop();
  onlyB.stop();
});

it('refuses a tokenId that is not a DepToken id', async () => {
  const listener = listen(t.ws(), 'not-an-id');
  await until(() => listener.errors.length > 0, 'the error');
  expect(JSON.stringify(listener.errors)).toMatch(/BAD_USER_INPUT/);
  expect(parseGlobalId('not-an-id')).toBeNull();
});
