/**
 * The ingest through the whole stack (GraphQL -> pg-boss -> Apple simulator over HTTP ->
 * PostgreSQL): the first full sync after an upload, deltas with added / modified / deleted devices,
 * repeated serials in a page, deleted and re-imported devices, depgate tombstones, page size from
 * /account, and cursors saved per page.
 */
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  allowImmediateSync,
  appleSerials,
  device,
  lastRun,
  liveSerials,
  requestSync,
  runs,
  tokenRow,
  uploadToken,
  waitForRun,
} from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

/** A manual delta sync 15 minutes later, to its end. */
async function deltaSync(token: { id: string; rowId: string; serverUuid: string; serials: string[] }) {
  t.clock.advance(15 * MINUTE_MS);
  const runId = await requestSync(t, token);
  return waitForRun(t, runId);
}

describe('the first sync after an upload', () => {
  it('is a full sync that ends with exactly Apple’s devices, counted, and does not count as a manual sync', async () => {
    const token = await uploadToken(t, { devices: 250 });
    const [run] = await runs(t, token.rowId);
    expect(run).toMatchObject({
      kind: 'FULL',
      trigger: 'TOKEN_UPLOAD',
      full_sync_reason: 'TOKEN_UPLOADED',
      status: 'SUCCEEDED',
      devices_added: 250,
      devices_modified: 0,
      devices_deleted: 0,
      // one fetch page (the simulator advertises 1,000 per page) and one sync page
      pages_fetched: 2,
    });
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
    const row = await tokenRow(t, token.rowId);
    expect(row).toMatchObject({ synced_device_count: 250, last_sync_error: null, full_sync_required: false, fetch_id: null, fetch_cursor: null });
    expect(row.sync_cursor).toEqual(expect.any(String));
    expect(row.last_successful_sync_at).toEqual(t.clock.now());
    expect(row.last_manual_sync_at).toBeNull();

    const data = await t.ok(
      `query ($id: ID!) { depToken(id: $id) { syncedDeviceCount lastSuccessfulSyncAt nextManualSyncAt activeSyncRun { id } syncRuns { totalCount edges { node { kind trigger status devicesAdded token { id } } } } } }`,
      { id: token.id },
    );
    expect(data.depToken).toMatchObject({ syncedDeviceCount: 250, nextManualSyncAt: null, activeSyncRun: null });
    expect(data.depToken.syncRuns.totalCount).toBe(1);
    expect(data.depToken.syncRuns.edges[0].node).toEqual({ kind: 'FULL', trigger: 'TOKEN_UPLOAD', status: 'SUCCEEDED', devicesAdded: 250, token: { id: token.id } });
  });

  it('reads the page size from /account (here 1,000) and asks for it', async () => {
    await t.simControl('DELETE', '/_sim/requests');
    const token = await uploadToken(t, { devices: 2300 });
    const run = await lastRun(t, token.rowId);
    expect(run.pages_fetched).toBe(3 + 1);
    const log = (await t.simControl('GET', '/_sim/requests?path=/server/devices')).requests;
    expect(log.filter((r: any) => r.path === '/server/devices')).toHaveLength(3);
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  });
});

describe('delta syncs', () => {
  it('add, modify and delete devices as Apple reports them, and count them', async () => {
    const token = await uploadToken(t, { devices: 20 });
    const added = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 5 })).serials;
    const [m1, m2, m3, d1, d2] = token.serials;
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [m1, m2, m3], changes: { color: 'Midnight', asset_tag: 'A-1' } });
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [d1, d2] });

    const run = await deltaSync(token);
    expect(run).toMatchObject({ kind: 'DELTA', trigger: 'MANUAL', status: 'SUCCEEDED', devices_added: 5, devices_modified: 3, devices_deleted: 2 });
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
    expect(await device(t, token.rowId, m1)).toMatchObject({ color: 'Midnight', asset_tag: 'A-1', last_op_type: 'modified', deleted_at: null });
    expect(await device(t, token.rowId, d1)).toMatchObject({ deleted_by: 'APPLE', profile_status: 'REMOVED', last_op_type: 'deleted' });
    expect((await device(t, token.rowId, d1))!.deleted_at).toEqual(t.clock.now());
    expect(await device(t, token.rowId, added[0])).toMatchObject({ source: 'SYNC', last_op_type: 'added', deleted_at: null });
    expect((await tokenRow(t, token.rowId)).synced_device_count).toBe(23);
  });

  it('resolve a serial repeated in a page by the latest op_date (then by position)', async () => {
    const token = await uploadToken(t, { devices: 3 });
    const [a, b] = token.serials;
    // a: two modifications at the same instant (the later in the page wins), then one a minute later.
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [a], changes: { color: 'Red' } });
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [a], changes: { color: 'Green' } });
    t.clock.advance(MINUTE_MS);
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [a], changes: { color: 'Blue' } });
    // b: modified, then deleted: it is gone.
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [b], changes: { color: 'Gold' } });
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [b] });
    // c: added and deleted between two syncs: never stored.
    const [c] = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 1 })).serials;
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [c] });

    const run = await deltaSync(token);
    expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 0, devices_modified: 1, devices_deleted: 1, pages_fetched: 1 });
    expect(await device(t, token.rowId, a)).toMatchObject({ color: 'Blue', deleted_at: null });
    expect(await device(t, token.rowId, b)).toMatchObject({ deleted_by: 'APPLE' });
    expect(await device(t, token.rowId, c)).toBeUndefined();
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  });

  it('bring back a device Apple had removed when it is assigned again (re-imported), counted as added', async () => {
    const token = await uploadToken(t, { devices: 4 });
    const serial = token.serials[0];
    const record = (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices?full=true`)).devices.find((d: any) => d.serial_number === serial);
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [serial] });
    expect(await deltaSync(token)).toMatchObject({ devices_deleted: 1 });
    expect(await device(t, token.rowId, serial)).toMatchObject({ deleted_by: 'APPLE' });

    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ ...record, color: 'Silver' }] });
    expect(await deltaSync(token)).toMatchObject({ devices_added: 1, devices_deleted: 0 });
    expect(await device(t, token.rowId, serial)).toMatchObject({ deleted_at: null, deleted_by: null, color: 'Silver', last_op_type: 'added' });
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  });

  it('do not bring back a device deleted in depgate; the next full sync does while Apple still has it', async () => {
    const token = await uploadToken(t, { devices: 4 });
    const [kept, gone] = token.serials;
    // Deleted here (what deleteDevice does): a DEPGATE tombstone.
    await t.app.dataSource.query(
      `UPDATE devices SET deleted_at = $3, deleted_by = 'DEPGATE' WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
      [token.rowId, [kept, gone], t.clock.now()],
    );
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [kept], changes: { color: 'Pink' } });
    expect(await deltaSync(token)).toMatchObject({ devices_added: 0, devices_modified: 0 });
    expect(await device(t, token.rowId, kept)).toMatchObject({ deleted_by: 'DEPGATE' });
    expect((await device(t, token.rowId, kept))!.color).not.toBe('Pink');

    // The admin unassigned one of them in ABM too; the full sync brings back only the other.
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [gone] });
    await allowImmediateSync(t, token.rowId);
    t.clock.advance(15 * MINUTE_MS);
    const run = await waitForRun(t, await requestSync(t, token, true));
    expect(run).toMatchObject({ kind: 'FULL', full_sync_reason: 'REQUESTED', status: 'SUCCEEDED', devices_added: 1 });
    expect(await device(t, token.rowId, kept)).toMatchObject({ deleted_at: null, deleted_by: null, color: 'Pink' });
    // Gone from Apple before the fetch: nothing lists it, it stays deleted.
    expect((await device(t, token.rowId, gone))!.deleted_at).not.toBeNull();
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  });

  it('a full sync marks devices Apple no longer lists as deleted even without a sync event', async () => {
    const token = await uploadToken(t, { devices: 6 });
    // A device depgate believes is assigned but Apple does not list (e.g. events lost before a cursor reset).
    await t.app.dataSource.query(
      `INSERT INTO devices (token_id, serial_number, source, last_synced_at, created_at, updated_at) VALUES ($1, 'GHOST0000001', 'SYNC', $2, $2, $2)`,
      [token.rowId, t.clock.now()],
    );
    await allowImmediateSync(t, token.rowId);
    const run = await waitForRun(t, await requestSync(t, token, true));
    expect(run).toMatchObject({ kind: 'FULL', status: 'SUCCEEDED', devices_added: 0, devices_modified: 0, devices_deleted: 1 });
    expect(await device(t, token.rowId, 'GHOST0000001')).toMatchObject({ deleted_by: 'APPLE', profile_status: 'REMOVED' });
    expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  });
});
