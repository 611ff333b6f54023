/**
 * The two bugs of issue 12: an imported serial becomes SYNC once a sync sees it, and a serial lives
 * under one token at a time (a sync of another token, an assignment or an import under another
 * token moves its row; a unique constraint proves there is never a second one).
 */
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { requestSync, uploadToken, waitForRun, type SyncedToken } from '../sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

async function sync(token: SyncedToken) {
  t.clock.advance(16 * MINUTE_MS);
  return waitForRun(t, await requestSync(t, token));
}

async function rows(serial: string): Promise<{ token_id: string; source: string }[]> {
  return t.app.dataSource.query(`SELECT token_id, source FROM devices WHERE serial_number = $1`, [serial]);
}

async function listed(token: SyncedToken): Promise<{ serialNumber: string; source: string }[]> {
  const data = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t}, first: 100) { edges { node { serialNumber source } } } }`, { t: token.id });
  return data.devices.edges.map((e: any) => e.node);
}

async function createProfile(token: SyncedToken): Promise<string> {
  return (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name: `P ${token.rowId.slice(0, 6)}` },
    })
  ).createEnrollmentProfile.profile.id;
}

it('an imported serial becomes source SYNC once a sync sees it', async () => {
  const token = await uploadToken(t, { devices: 1 });
  await t.ok(`mutation ($t: ID!) { importDeviceSerials(input: {tokenId: $t, serialNumbers: ["C02IMPORTED1"]}) { accepted { source } } }`, { t: token.id });
  expect(await listed(token)).toContainEqual({ serialNumber: 'C02IMPORTED1', source: 'IMPORT' });

  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ serial_number: 'C02IMPORTED1', device_family: 'iPhone' }] });
  const run = await sync(token);
  expect(run.status).toBe('SUCCEEDED');
  expect(await listed(token)).toContainEqual({ serialNumber: 'C02IMPORTED1', source: 'SYNC' });
});

it('a device Apple moved to another token moves its row when that token syncs', async () => {
  const from = await uploadToken(t, { devices: 2 });
  const to = await uploadToken(t, { devices: 1 });
  const serial = from.serials[0]!;
  await t.simControl('POST', `/_sim/servers/${from.serverUuid}/devices/move`, { serials: [serial], toServerUuid: to.serverUuid });

  const run = await sync(to);
  expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 1 });
  expect(await rows(serial)).toEqual([{ token_id: to.rowId, source: 'SYNC' }]);
  expect((await listed(to)).map((d) => d.serialNumber)).toContain(serial);
  expect((await listed(from)).map((d) => d.serialNumber)).not.toContain(serial);
});

it("a profile an admin removed under one token does not keep the new token's default away once Apple moved the device", async () => {
  const from = await uploadToken(t, { devices: 1 });
  const to = await uploadToken(t, { devices: 1 });
  const serial = from.serials[0]!;
  const removed = (await t.ok(`mutation ($s: [String!]!) { removeEnrollmentProfile(input: {serialNumbers: $s}) { results { status } } }`, { s: [serial] }))
    .removeEnrollmentProfile.results;
  expect(removed).toEqual([{ status: 'SUCCESS' }]);
  const profileId = await createProfile(to);
  await t.ok(`mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) { token { id } } }`, {
    input: { tokenId: to.id, profileId },
  });
  await t.simControl('POST', `/_sim/servers/${from.serverUuid}/devices/move`, { serials: [serial], toServerUuid: to.serverUuid });

  const run = await sync(to);
  expect(run).toMatchObject({ status: 'SUCCEEDED', assignments_made: 1 });
  const [row] = await t.app.dataSource.query(`SELECT token_id, profile_status, profile_removed_at FROM devices WHERE serial_number = $1`, [serial]);
  expect(row).toEqual({ token_id: to.rowId, profile_status: 'ASSIGNED', profile_removed_at: null });
});

it('assigning or importing a serial synced under another token moves the row instead of adding one', async () => {
  const from = await uploadToken(t, { devices: 2 });
  const to = await uploadToken(t, { devices: 1 });
  const [assigned, imported] = from.serials as [string, string];
  const profileId = await createProfile(to);

  const res = await t.ok(`mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { serialNumber status } } }`, {
    p: profileId,
    s: [assigned],
  });
  // Apple holds the serial on the other server: not accessible from this one.
  expect(res.assignEnrollmentProfile.results).toEqual([{ serialNumber: assigned, status: 'NOT_ACCESSIBLE' }]);
  expect(await rows(assigned)).toEqual([{ token_id: to.rowId, source: 'IMPORT' }]);

  const importedRes = await t.ok(`mutation ($t: ID!, $s: [String!]!) { importDeviceSerials(input: {tokenId: $t, serialNumbers: $s}) { accepted { serialNumber source } rejectedCount } }`, {
    t: to.id,
    s: [imported],
  });
  expect(importedRes.importDeviceSerials).toEqual({ accepted: [{ serialNumber: imported, source: 'IMPORT' }], rejectedCount: 0 });
  expect(await rows(imported)).toEqual([{ token_id: to.rowId, source: 'IMPORT' }]);
  expect((await listed(from)).map((d) => d.serialNumber)).toEqual([]);
});

it('the database refuses a second row for a serial under another token', async () => {
  const a = await uploadToken(t, { devices: 1 });
  const b = await uploadToken(t, { devices: 0 });
  const now = t.clock.now();
  await expect(
    t.app.dataSource.query(`INSERT INTO devices (token_id, serial_number, source, created_at, updated_at) VALUES ($1, $2, 'IMPORT', $3, $3)`, [b.rowId, a.serials[0], now]),
  ).rejects.toMatchObject({ code: '23505' });
});

it("a scoped key cannot move a serial held by a token outside its scope: refused, the row stays", async () => {
  const tag = (await t.ok(`mutation { createScopeTag(input: {name: "one-token-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const hidden = await uploadToken(t, { devices: 2 });
  const mine = await uploadToken(t, { devices: 1, scopeTagIds: [tag] });
  const key = await t.createKey('OPERATOR', [tag]);
  const [assigned, imported] = hidden.serials as [string, string];
  const profileId = await createProfile(mine);

  const res = await t.ok(`mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { serialNumber status message } } }`, {
    p: profileId,
    s: [assigned],
  }, key);
  expect(res.assignEnrollmentProfile.results).toEqual([{ serialNumber: assigned, status: 'REJECTED', message: expect.stringMatching(/outside what this key may see/) }]);
  const importedRes = await t.ok(`mutation ($t: ID!, $s: [String!]!) { importDeviceSerials(input: {tokenId: $t, serialNumbers: $s}) { accepted { serialNumber } rejected { value reason } } }`, {
    t: mine.id,
    s: [imported],
  }, key);
  expect(importedRes.importDeviceSerials).toEqual({ accepted: [], rejected: [{ value: imported, reason: 'ALREADY_SYNCED' }] });
  expect(await rows(assigned)).toEqual([{ token_id: hidden.rowId, source: 'SYNC' }]);
  expect(await rows(imported)).toEqual([{ token_id: hidden.rowId, source: 'SYNC' }]);
});
