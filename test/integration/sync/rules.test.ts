/**
 * The time rules with an injected clock (no test sleeps on a timer): manual syncs at most every
 * 15 minutes, full syncs at most every 7 days, one sync at a time, the automatic sync every 24
 * hours, the upload's sync not counted, and the fields a UI disables its buttons with.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { RUN_FIELDS, SYNC, lastRun, requestSync, runs, until, uploadToken, waitForIdle, waitForRun } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const TOKEN_SYNC_FIELDS = `query ($id: ID!) { depToken(id: $id) { nextManualSyncAt nextFullSyncAt lastSyncTriggeredAt activeSyncRun { id status } } }`;

async function refusal(tokenId: string, full = false, key?: string) {
  const res = await t.gql(SYNC, { input: { tokenId, full } }, key);
  expect(res.data).toBeNull();
  return res.errors![0];
}

describe('manual syncs', () => {
  it('the sync after an upload does not count; then one manual sync per 15 minutes, with retryAfterSeconds', async () => {
    const token = await uploadToken(t, { devices: 3 });
    const uploadedAt = t.clock.now();
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken).toMatchObject({ nextManualSyncAt: null, activeSyncRun: null });

    const first = await requestSync(t, token);
    expect((await waitForRun(t, first)).status).toBe('SUCCEEDED');
    const nextAt = new Date(uploadedAt.getTime() + 15 * MINUTE_MS).toISOString();
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken.nextManualSyncAt).toBe(nextAt);

    const before = (await runs(t, token.rowId)).length;
    const early = await refusal(token.id);
    expect(early.extensions).toMatchObject({ code: 'SYNC_RATE_LIMITED', retryAfterSeconds: 900, nextManualSyncAt: nextAt });

    t.clock.advance(14 * MINUTE_MS + 30 * SECOND_MS);
    expect((await refusal(token.id)).extensions).toMatchObject({ code: 'SYNC_RATE_LIMITED', retryAfterSeconds: 30 });
    expect((await runs(t, token.rowId)).length).toBe(before); // refusals change nothing

    t.clock.advance(30 * SECOND_MS);
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken.nextManualSyncAt).toBeNull();
    expect((await waitForRun(t, await requestSync(t, token))).status).toBe('SUCCEEDED');
  });

  it('is refused with SYNC_IN_PROGRESS (naming the run) while one is queued or running', async () => {
    const token = await uploadToken(t, { devices: 2 });
    // Apple answers the sync page slowly, so the run stays RUNNING for a moment.
    await t.simControl('POST', '/_sim/faults', { delayMs: 1500, count: 1, path: '/devices/sync' });
    // Past the manual limit before the run starts: advancing the clock while it runs would pass
    // its deadline (SYNC_TIMEOUT_S) and the watchdog would end it.
    t.clock.advance(20 * MINUTE_MS);
    const data = await t.ok(SYNC, { input: { tokenId: token.id } });
    const run = data.syncDepToken.syncRun;
    expect(run).toMatchObject({ kind: 'DELTA', trigger: 'MANUAL', status: 'QUEUED', pagesFetched: 0, error: null });
    // The run is in progress; its own trigger time would refuse a manual sync too, but
    // SYNC_IN_PROGRESS is checked first and names the run.
    const busy = await refusal(token.id);
    expect(busy.extensions).toMatchObject({ code: 'SYNC_IN_PROGRESS', syncRunId: run.id });
    const state = (await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken;
    expect(state.activeSyncRun.id).toBe(run.id);
    expect(['QUEUED', 'RUNNING']).toContain(state.activeSyncRun.status);
    expect((await refusal(token.id, true)).extensions?.code).toBe('SYNC_IN_PROGRESS');
    await waitForIdle(t, token.rowId);
    expect((await lastRun(t, token.rowId)).status).toBe('SUCCEEDED');
  });

  it('READER keys may not sync; a scoped OPERATOR only its own tokens (others are NOT_FOUND)', async () => {
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "sync-rules"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const mine = await uploadToken(t, { scopeTagIds: [tag] });
    const other = await uploadToken(t);
    const reader = await t.createKey('READER');
    const operator = await t.createKey('OPERATOR', [tag]);
    t.clock.advance(15 * MINUTE_MS);
    expect((await refusal(mine.id, false, reader)).extensions?.code).toBe('FORBIDDEN');
    expect((await refusal(other.id, false, operator)).extensions?.code).toBe('NOT_FOUND');
    expect((await runs(t, other.rowId)).length).toBe(1);
    expect((await waitForRun(t, await requestSync(t, mine, false, operator))).status).toBe('SUCCEEDED');
  });

  it('is refused for an expired token (TOKEN_EXPIRED), which the schedule skips too', async () => {
    const token = await uploadToken(t);
    await t.app.dataSource.query(`UPDATE dep_tokens SET expires_at = $2 WHERE id = $1`, [token.rowId, new Date(t.clock.now().getTime() - 1000)]);
    t.clock.advance(2 * DAY_MS);
    expect((await refusal(token.id)).extensions?.code).toBe('TOKEN_EXPIRED');
    await t.app.services.sync.tick();
    expect((await runs(t, token.rowId)).length).toBe(1);
  });
});

describe('full syncs', () => {
  it('at most once per 7 days after the previous full one (the upload’s included); delta syncs stay allowed', async () => {
    const token = await uploadToken(t, { devices: 5 });
    const uploadedAt = t.clock.now();
    const nextFull = new Date(uploadedAt.getTime() + 7 * DAY_MS).toISOString();
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken.nextFullSyncAt).toBe(nextFull);

    const refused = await refusal(token.id, true);
    expect(refused.extensions).toMatchObject({ code: 'FULL_SYNC_RATE_LIMITED', retryAfterSeconds: 7 * 86400, nextFullSyncAt: nextFull });
    expect((await runs(t, token.rowId)).length).toBe(1);

    // The refused full request did not use up the manual slot: a delta runs now.
    const delta = await waitForRun(t, await requestSync(t, token, false));
    expect(delta).toMatchObject({ kind: 'DELTA', status: 'SUCCEEDED' });

    t.clock.advance(6 * DAY_MS + 23 * HOUR_MS);
    expect((await refusal(token.id, true)).extensions).toMatchObject({ code: 'FULL_SYNC_RATE_LIMITED', retryAfterSeconds: 3600 });
    t.clock.advance(HOUR_MS);
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken.nextFullSyncAt).toBeNull();
    const full = await waitForRun(t, await requestSync(t, token, true));
    expect(full).toMatchObject({ kind: 'FULL', full_sync_reason: 'REQUESTED', status: 'SUCCEEDED', devices_added: 0, devices_deleted: 0 });
    expect((await t.ok(TOKEN_SYNC_FIELDS, { id: token.id })).depToken.nextFullSyncAt).toBe(new Date(t.clock.now().getTime() + 7 * DAY_MS).toISOString());
  });
});

describe('the automatic sync', () => {
  it('runs a delta sync 24 hours after the last sync was triggered, once, on the injected clock', async () => {
    const token = await uploadToken(t, { devices: 2 });
    const added = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2 })).serials;
    t.clock.advance(23 * HOUR_MS);
    await t.app.services.sync.tick();
    expect((await runs(t, token.rowId)).length).toBe(1);

    t.clock.advance(HOUR_MS);
    await t.app.services.sync.tick();
    await t.app.services.sync.tick();
    const all = await runs(t, token.rowId);
    expect(all.length).toBe(2);
    const run = await waitForRun(t, all[1].id);
    expect(run).toMatchObject({ kind: 'DELTA', trigger: 'SCHEDULED', status: 'SUCCEEDED', devices_added: 2 });
    const [{ serial_number }] = await t.app.dataSource.query(`SELECT serial_number FROM devices WHERE token_id = $1 AND serial_number = $2`, [
      token.rowId,
      added[0],
    ]);
    expect(serial_number).toBe(added[0]);

    // A scheduled sync does not count against the manual limit.
    expect((await waitForRun(t, await requestSync(t, token))).status).toBe('SUCCEEDED');
    // The manual one moved the schedule: nothing due 24 h after the scheduled one, due 24 h after the manual one.
    t.clock.advance(24 * HOUR_MS - MINUTE_MS);
    await t.app.services.sync.tick();
    expect((await runs(t, token.rowId)).length).toBe(3);
    t.clock.advance(MINUTE_MS);
    await t.app.services.sync.tick();
    await until(async () => (await runs(t, token.rowId)).length === 4, 'the next scheduled sync');
    await waitForIdle(t, token.rowId);
  });

  it('returns each run through syncRun(id) and node(id), newest first in syncRuns', async () => {
    const token = await uploadToken(t);
    const runId = await requestSync(t, token);
    await waitForRun(t, runId);
    const list = await t.ok(`query ($id: ID!) { depToken(id: $id) { syncRuns(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { id trigger } } } } }`, {
      id: token.id,
    });
    expect(list.depToken.syncRuns.totalCount).toBe(2);
    expect(list.depToken.syncRuns.edges[0].node.trigger).toBe('MANUAL');
    const next = await t.ok(`query ($id: ID!, $after: String) { depToken(id: $id) { syncRuns(first: 5, after: $after) { pageInfo { hasNextPage } edges { node { trigger } } } } }`, {
      id: token.id,
      after: list.depToken.syncRuns.pageInfo.endCursor,
    });
    expect(next.depToken.syncRuns.edges.map((e: any) => e.node.trigger)).toEqual(['TOKEN_UPLOAD']);
    expect(next.depToken.syncRuns.pageInfo.hasNextPage).toBe(false);

    const id = list.depToken.syncRuns.edges[0].node.id;
    const one = await t.ok(`query ($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} token { id } } node(id: $id) { ... on SyncRun { status } } }`, { id });
    expect(one.syncRun).toMatchObject({ id, kind: 'DELTA', status: 'SUCCEEDED', token: { id: token.id } });
    expect(one.node).toEqual({ status: 'SUCCEEDED' });
  });

  it('a scoped key sees the runs of its tokens only: syncRun, node and nodes return null for the others', async () => {
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "runs-visibility"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const mine = await uploadToken(t, { scopeTagIds: [tag] });
    const theirs = await uploadToken(t);
    const reader = await t.createKey('READER', [tag]);
    const ids = async (token: { id: string }) =>
      (await t.ok(`query ($id: ID!) { depToken(id: $id) { syncRuns { edges { node { id } } } } }`, { id: token.id })).depToken.syncRuns.edges.map(
        (e: any) => e.node.id,
      );
    const [mineRun] = await ids(mine);
    const [theirRun] = await ids(theirs);
    const seen = await t.ok(
      `query ($a: ID!, $b: ID!) { a: syncRun(id: $a) { id } b: syncRun(id: $b) { id } nodes(ids: [$a, $b]) { id } }`,
      { a: mineRun, b: theirRun },
      reader,
    );
    expect(seen).toEqual({ a: { id: mineRun }, b: null, nodes: [{ id: mineRun }, null] });
    expect((await t.ok(`query ($id: ID!) { depToken(id: $id) { id } }`, { id: theirs.id }, reader)).depToken).toBeNull();
  });
});
