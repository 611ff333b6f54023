/**
 * A dashboard opened mid-sync starts from the truth: `syncRunProgress(tokenId)` sends the token's
 * running run first (before its next page lands), then each change. And the bar it draws:
 * `expectedDevices` (a full sync's estimate: the devices synced before it; null when unknown) and
 * `progress` (0..1, never above 1, 1 once succeeded).
 */
import type { Client } from 'graphql-ws';
import { DAY_MS, MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { requestSync, until, uploadToken, waitForIdle, waitForRun } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  // Apple calls may take 10 s here: the held-back page below must not time out and be retried.
  t = await startTestApp({
    simulator: true,
    sync: true,
    appleTuning: { timeoutMs: 10_000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined },
  });
});
afterAll(async () => {
  await t.simControl('DELETE', '/_sim/faults');
  await t.close();
});

const PROGRESS = `subscription ($tokenId: ID) { syncRunProgress(tokenId: $tokenId) {
  id kind status pagesFetched devicesAdded expectedDevices progress token { id }
} }`;

function listen(client: Client, tokenId?: string) {
  const got = { events: [] as any[], errors: [] as unknown[], stop: () => undefined as void };
  got.stop = client.subscribe(
    { query: PROGRESS, variables: { tokenId } },
    {
      next: (r: any) => (r.errors ? got.errors.push(...r.errors) : got.events.push(r.data.syncRunProgress)),
      error: (e) => got.errors.push(e),
      complete: () => undefined,
    },
  );
  return got;
}

const globalRunId = (rowId: string) => Buffer.from(`SyncRun:${rowId}`).toString('base64url');

it('opened mid-sync, first sends the running run as it is now, with a progress a bar can show', async () => {
  const token = await uploadToken(t, { devices: 2300 });
  // The upload's first sync: full, but nothing to measure against (the token never synced).
  const first = await t.ok(`query ($id: ID!) { depToken(id: $id) { syncRuns(first: 1) { edges { node { kind status expectedDevices progress } } } } }`, {
    id: token.id,
  });
  expect(first.depToken.syncRuns.edges[0].node).toEqual({ kind: 'FULL', status: 'SUCCEEDED', expectedDevices: null, progress: 1 });

  // A full sync whose second fetch page is held back 4 s: the run sits at one page of three.
  t.clock.advance(8 * DAY_MS);
  await t.simControl('POST', '/_sim/faults', { delayMs: 4000, count: 1, after: 1, path: '/server/devices' });
  const runRowId = await requestSync(t, token, true);
  await until(async () => {
    const [row] = await t.app.dataSource.query(`SELECT status, pages_fetched FROM sync_runs WHERE id = $1`, [runRowId]);
    return row.status === 'RUNNING' && row.pages_fetched === 1;
  }, 'the run to hold at its first page');

  const live = listen(t.ws(), token.id);
  await until(() => live.events.length > 0, 'the first event');
  expect(live.errors).toEqual([]);
  // The truth first: the run as it is now (page 1 of 3), not its next change.
  expect(live.events[0]).toMatchObject({
    id: globalRunId(runRowId),
    kind: 'FULL',
    status: 'RUNNING',
    pagesFetched: 1,
    expectedDevices: 2300,
    token: { id: token.id },
  });
  expect(live.events[0].progress).toBeCloseTo(1000 / 2300, 5);

  await waitForRun(t, runRowId);
  await until(() => live.events.some((e) => e.status === 'SUCCEEDED'), 'the final event');
  const progress = live.events.map((e) => e.progress);
  expect(progress[progress.length - 1]).toBe(1);
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
  expect(progress.slice(0, -1).every((p) => p > 0 && p <= 0.99)).toBe(true);
  expect(live.events.every((e) => e.expectedDevices === 2300)).toBe(true);
  live.stop();
});

it('with a tokenId and no run in progress, first sends the latest run; a delta sync has no estimate', async () => {
  const token = await uploadToken(t, { devices: 10 });
  t.clock.advance(16 * MINUTE_MS);
  const runRowId = await requestSync(t, token);
  await waitForIdle(t, token.rowId);

  const live = listen(t.ws(), token.id);
  await until(() => live.events.length > 0, 'the first event');
  expect(live.events[0]).toMatchObject({ id: globalRunId(runRowId), kind: 'DELTA', status: 'SUCCEEDED', expectedDevices: null, progress: 1 });
  live.stop();
});

it('sends nothing first for a token the key cannot see, nor without a tokenId', async () => {
  const tag = (await t.ok(`mutation { createScopeTag(input: {name: "live-progress"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const hidden = await uploadToken(t, { devices: 5 });
  const scoped = listen(t.ws(await t.createKey('READER', [tag])), hidden.id);
  const all = listen(t.ws());
  // Proof the subscriptions are live: a sync of the hidden token reaches the unrestricted one only.
  t.clock.advance(16 * MINUTE_MS);
  const runRowId = await requestSync(t, hidden);
  await waitForIdle(t, hidden.rowId);
  await until(() => all.events.some((e) => e.id === globalRunId(runRowId) && e.status === 'SUCCEEDED'), 'the unrestricted key’s events');
  expect(all.events[0]).toMatchObject({ id: globalRunId(runRowId), status: 'QUEUED' });
  expect(scoped.events).toEqual([]);
  expect(scoped.errors).toEqual([]);
  scoped.stop();
  all.stop();
});
