/**
 * Apple's cursor rules (spec §5): an expired or invalid sync cursor turns the run into a full
 * fetch; a full fetch interrupted after some pages resumes from the last saved cursor (repeating at
 * most a page, losing none); EXHAUSTED_CURSOR on a resumed fetch moves on to the sync.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, MINUTE_MS } from '../../../src/clock';
import { DepTokenEntity } from '../../../src/tokens/token.entity';
import { startTestApp, type TestApp } from '../../support/test-app';
import { appleSerials, liveSerials, requestSync, runs, tokenRow, until, uploadToken, waitForIdle, waitForRun } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

async function appleLog(path: string): Promise<{ status?: number; path: string }[]> {
  return (await t.simControl('GET', `/_sim/requests?path=${encodeURIComponent(path)}&limit=1000`)).requests;
}

it('EXPIRED_CURSOR (older than 7 days): the run becomes a full sync and ends with Apple’s set', async () => {
  const token = await uploadToken(t, { devices: 30 });
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: token.serials.slice(0, 2), changes: { color: 'Coral' } });
  await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: token.serials.slice(2, 4) });
  t.clock.advance(8 * DAY_MS);
  await t.simControl('DELETE', '/_sim/requests');
  const run = await waitForRun(t, await requestSync(t, token));
  expect(run).toMatchObject({ kind: 'FULL', full_sync_reason: 'CURSOR_EXPIRED', trigger: 'MANUAL', status: 'SUCCEEDED', devices_deleted: 2 });
  expect((await appleLog('/devices/sync'))[0]).toMatchObject({ status: 400 });
  expect((await appleLog('/server/devices')).length).toBe(1);
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  expect((await tokenRow(t, token.rowId)).full_sync_required).toBe(false);
});

it('INVALID_CURSOR: the cursor is dropped and the run becomes a full sync', async () => {
  const token = await uploadToken(t, { devices: 12 });
  await t.app.dataSource.query(`UPDATE dep_tokens SET sync_cursor = 'not-a-cursor-apple-issued' WHERE id = $1`, [token.rowId]);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3 });
  t.clock.advance(15 * MINUTE_MS);
  const run = await waitForRun(t, await requestSync(t, token));
  expect(run).toMatchObject({ kind: 'FULL', full_sync_reason: 'CURSOR_INVALID', status: 'SUCCEEDED', devices_added: 3 });
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  expect((await tokenRow(t, token.rowId)).sync_cursor).not.toBe('not-a-cursor-apple-issued');
});

it('a full fetch that failed after its first page resumes from the saved cursor in the next run', async () => {
  // Page 1 is slowed down so the failure of page 2 can be set up behind it.
  await t.simControl('POST', '/_sim/faults', { delayMs: 400, count: 1, path: '/server/devices' });
  const token = await uploadToken(t, { devices: 2500, waitFirstSync: false });
  await t.simControl('POST', '/_sim/faults', { status: 503, count: 3, path: '/server/devices' });
  const [first] = await until(async () => {
    const all = await runs(t, token.rowId);
    return all[0] && ['FAILED', 'SUCCEEDED'].includes(all[0].status) ? all : undefined;
  }, 'the first sync to fail');
  expect(first).toMatchObject({ kind: 'FULL', status: 'FAILED', error_code: 'APPLE_UNAVAILABLE', pages_fetched: 1, devices_added: 1000 });
  expect(first.error_message).toMatch(/did not answer/);
  // A failed full sync queues nothing by itself; its progress is kept.
  expect((await runs(t, token.rowId)).length).toBe(1);
  const saved = await tokenRow(t, token.rowId);
  expect(saved).toMatchObject({ full_sync_required: true, sync_cursor: null });
  expect(saved.fetch_id).toEqual(expect.any(String));
  expect(saved.fetch_cursor).toEqual(expect.any(String));
  expect((await liveSerials(t, token.rowId)).length).toBe(1000);

  // A delta is asked for; the run finishes the fetch instead, from page 2.
  const run = await waitForRun(t, await requestSync(t, token, false));
  expect(run).toMatchObject({ kind: 'FULL', full_sync_reason: 'RESUMING_FETCH', status: 'SUCCEEDED', pages_fetched: 2 + 1, devices_added: 1500, devices_deleted: 0 });
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  expect(await tokenRow(t, token.rowId)).toMatchObject({ fetch_id: null, fetch_cursor: null, full_sync_required: false, synced_device_count: 2500 });
});

it('EXHAUSTED_CURSOR on a resumed fetch (it had reached its end): the run moves on to the sync', async () => {
  const token = await uploadToken(t, { devices: 40 });
  // As if a run had committed the fetch's last page and stopped before the sync: the fetch id on
  // the token and on every device it listed, and the fetch's last cursor.
  const entity = await t.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: token.rowId });
  const client = t.app.services.depClients.forToken(entity);
  let page = await client.fetchDevices({ limit: 1000 });
  while (page.more_to_follow) page = await client.fetchDevices({ cursor: page.cursor, limit: 1000 });
  const fetchId = randomUUID();
  await t.app.dataSource.query(`UPDATE devices SET last_fetch_id = $2 WHERE token_id = $1`, [token.rowId, fetchId]);
  await t.app.dataSource.query(`UPDATE dep_tokens SET fetch_id = $2, fetch_cursor = $3, full_sync_required = true WHERE id = $1`, [
    token.rowId,
    fetchId,
    page.cursor,
  ]);
  const added = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2 })).serials;
  await t.simControl('DELETE', '/_sim/requests');
  t.clock.advance(15 * MINUTE_MS);
  const run = await waitForRun(t, await requestSync(t, token));
  expect(run).toMatchObject({ kind: 'FULL', full_sync_reason: 'RESUMING_FETCH', status: 'SUCCEEDED', pages_fetched: 1, devices_added: 2, devices_deleted: 0 });
  expect((await appleLog('/server/devices')).map((r) => r.status)).toEqual([400]);
  expect(await liveSerials(t, token.rowId)).toEqual(expect.arrayContaining(added));
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  await waitForIdle(t, token.rowId);
});
