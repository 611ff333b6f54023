/**
 * Profiles for synced devices (through the assignment service, after each committed page): the
 * token's default profile for new devices without one, those that arrive as `added` and those
 * moved from another MDM server (which arrive as `modified`); an imported serial's requested
 * profile when it first appears; Apple's per-device failures counted on the run.
 */
import { DAY_MS, MINUTE_MS } from '../../../src/clock';
import { DepTokenEntity } from '../../../src/tokens/token.entity';
import { startTestApp, type TestApp } from '../../support/test-app';
import { device, requestSync, uploadToken, waitForRun, type SyncedToken } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

/** A profile defined at Apple for the token, and its row here. */
async function profile(token: SyncedToken, name: string): Promise<{ rowId: string; appleUuid: string }> {
  const entity = await t.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: token.rowId });
  const defined = await t.app.services.depClients.forToken(entity).defineProfile({ profile_name: name, url: 'https://mdm.example.com/enroll' });
  const now = t.clock.now();
  const [row] = await t.app.dataSource.query(
    `INSERT INTO enrollment_profiles (token_id, name, user_affinity, apple_profile_uuid, apple_defined_at, created_at, updated_at)
     VALUES ($1, $2, 'WITHOUT_USER', $3, $4, $4, $4) RETURNING id`,
    [token.rowId, name, defined.profile_uuid, now],
  );
  return { rowId: row.id, appleUuid: defined.profile_uuid };
}

async function setDefault(token: SyncedToken, profileRowId: string | null): Promise<void> {
  await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = $2 WHERE id = $1`, [token.rowId, profileRowId]);
}

async function appleDevice(token: SyncedToken, serial: string): Promise<any> {
  return (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices`)).devices.find((d: any) => d.serial_number === serial);
}

async function sync(token: SyncedToken) {
  t.clock.advance(15 * MINUTE_MS);
  return waitForRun(t, await requestSync(t, token));
}

it('gives the default profile to added devices and to devices moved from another MDM server (modified), not to devices holding one', async () => {
  const token = await uploadToken(t, { devices: 2 });
  const other = await uploadToken(t, { devices: 3 });
  const byDefault = await profile(token, 'Default');
  await setDefault(token, byDefault.rowId);

  const added = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3 })).serials;
  const moved = (await t.simControl('POST', `/_sim/servers/${other.serverUuid}/devices/move`, { serials: other.serials.slice(0, 2), toServerUuid: token.serverUuid })).moved;
  expect(moved).toHaveLength(2);
  const [withProfile] = (
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, {
      devices: [{ serial_number: 'HASPROFILE01', profile_uuid: 'PROFILE-OF-ANOTHER-MDM', profile_status: 'assigned' }],
    })
  ).serials;

  const run = await sync(token);
  expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 6, assignments_made: 5, assignments_failed: 0 });
  for (const serial of [...added, ...moved]) {
    expect(await device(t, token.rowId, serial)).toMatchObject({ profile_id: byDefault.rowId, profile_status: 'ASSIGNED', last_assignment_result: 'SUCCESS' });
    expect(await appleDevice(token, serial)).toMatchObject({ profile_uuid: byDefault.appleUuid, profile_status: 'assigned' });
  }
  expect(await device(t, token.rowId, moved[0])).toMatchObject({ last_op_type: 'modified', source: 'SYNC' });
  expect(await device(t, token.rowId, withProfile)).toMatchObject({ profile_id: null, apple_profile_uuid: 'PROFILE-OF-ANOTHER-MDM', last_assignment_result: null });
  // The moved devices left the other token: their rows moved with them when this token synced
  // (a serial lives under one token), so the other token's deleted events find nothing of its own.
  expect(await sync(other)).toMatchObject({ devices_deleted: 0 });
  expect(await device(t, token.rowId, moved[0])).toMatchObject({ deleted_at: null });

  // The next sync reads Apple's confirmation (modified events): it matches what was stored at
  // assignment, so nothing counts as changed, and nothing is assigned again.
  const next = await sync(token);
  expect(next).toMatchObject({ status: 'SUCCEEDED', devices_modified: 0, assignments_made: 0, assignments_failed: 0 });
  expect(await device(t, token.rowId, added[0])).toMatchObject({ profile_id: byDefault.rowId, profile_status: 'ASSIGNED' });
});

it('gives an imported serial its requested profile (not the default) when it first appears', async () => {
  const token = await uploadToken(t);
  const byDefault = await profile(token, 'Default');
  const requested = await profile(token, 'Kiosk');
  await setDefault(token, byDefault.rowId);
  // What importDeviceSerials leaves: a serial not synced yet, with the profile asked for.
  await t.app.dataSource.query(
    `INSERT INTO devices (token_id, serial_number, source, requested_profile_id, created_at, updated_at) VALUES ($1, 'IMPORTED0001', 'IMPORT', $2, $3, $3)`,
    [token.rowId, requested.rowId, t.clock.now()],
  );
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ serial_number: 'IMPORTED0001' }] });
  const run = await sync(token);
  expect(run).toMatchObject({ devices_added: 1, assignments_made: 1 });
  expect(await device(t, token.rowId, 'IMPORTED0001')).toMatchObject({ profile_id: requested.rowId, requested_profile_id: null, profile_status: 'ASSIGNED' });
  expect(await appleDevice(token, 'IMPORTED0001')).toMatchObject({ profile_uuid: requested.appleUuid });
});

it('counts Apple’s per-device failures; the device waits out its cooldown and the run still succeeds', async () => {
  const token = await uploadToken(t);
  await setDefault(token, (await profile(token, 'Default')).rowId);
  const [ok, bad] = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2 })).serials;
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [bad]: 'FAILED' });
  const run = await sync(token);
  expect(run).toMatchObject({ status: 'SUCCEEDED', assignments_made: 1, assignments_failed: 1 });
  expect(await device(t, token.rowId, ok)).toMatchObject({ last_assignment_result: 'SUCCESS' });
  const failed = await device(t, token.rowId, bad);
  expect(failed).toMatchObject({ last_assignment_result: 'FAILED', profile_id: null });
  expect(failed!.next_assignment_retry_at.getTime()).toBe(t.clock.now().getTime() + DAY_MS);
});

it('assigns nothing when the token has no default profile', async () => {
  const token = await uploadToken(t);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3 });
  expect(await sync(token)).toMatchObject({ status: 'SUCCEEDED', devices_added: 3, assignments_made: 0, assignments_failed: 0 });
});
