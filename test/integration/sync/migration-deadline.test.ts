/**
 * MDM migration (protocol 8+): Apple's `mdm_migration_deadline` is stored and shown
 * (Device.mdmMigrationDeadline), the default rule gives such devices only a default that awaits
 * configuration, and DEVICE_MIGRATION_DEADLINE alerts before the earliest deadline passes.
 */
import { DAY_MS, MINUTE_MS } from '../../../src/clock';
import { toGlobalId } from '../../../src/graphql/global-id';
import { startTestApp, type TestApp } from '../../support/test-app';
import { device, requestSync, uploadToken, waitForRun, type SyncedToken } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

async function defaultProfile(token: SyncedToken, awaitFinalConfiguration: boolean): Promise<{ id: string; appleProfileUuid: string }> {
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id appleProfileUuid } } }`, {
      input: { tokenId: token.id, name: `Default ${awaitFinalConfiguration}`, userAffinity: 'WITHOUT_USER', awaitFinalConfiguration },
    })
  ).createEnrollmentProfile.profile;
  await t.ok(`mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) { token { id } } }`, {
    input: { tokenId: token.id, profileId: profile.id },
  });
  return profile;
}

async function sync(token: SyncedToken) {
  t.clock.advance(15 * MINUTE_MS);
  return waitForRun(t, await requestSync(t, token));
}

async function addMigrating(token: SyncedToken, serials: string[], deadline: Date) {
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, {
    devices: serials.map((serial_number) => ({ serial_number, mdm_migration_deadline: deadline.toISOString() })),
  });
}

it('stores and shows the deadline, and gives migrating devices only a default that awaits configuration', async () => {
  const token = await uploadToken(t);
  await defaultProfile(token, false);
  const deadline = new Date(t.clock.now().getTime() + 10 * DAY_MS);
  await addMigrating(token, ['MIGRATE00001'], deadline);
  const [plain] = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 1 })).serials;

  const run = await sync(token);
  // The plain device gets the default; the migrating one is left alone (its default does not wait).
  expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 2, assignments_made: 1, devices_without_default_profile: 1 });
  const row = await device(t, token.rowId, 'MIGRATE00001');
  expect(row).toMatchObject({ profile_id: null, last_assignment_result: null });
  expect(row!.mdm_migration_deadline.toISOString()).toBe(deadline.toISOString());
  expect(await device(t, token.rowId, plain)).toMatchObject({ profile_status: 'ASSIGNED' });

  const shown = await t.ok(`query ($id: ID!) { node(id: $id) { ... on Device { serialNumber mdmMigrationDeadline } } }`, {
    id: toGlobalId('Device', row!.id),
  });
  expect(shown.node).toEqual({ serialNumber: 'MIGRATE00001', mdmMigrationDeadline: deadline.toISOString() });

  // A default that awaits configuration is given to it by the next sync that sees it.
  const waiting = await defaultProfile(token, true);
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: ['MIGRATE00001'], changes: { color: 'SILVER' } });
  const next = await sync(token);
  expect(next).toMatchObject({ status: 'SUCCEEDED', assignments_made: 1, devices_without_default_profile: 0 });
  expect(await device(t, token.rowId, 'MIGRATE00001')).toMatchObject({ apple_profile_uuid: waiting.appleProfileUuid, profile_status: 'ASSIGNED' });
  const [sent] = (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/profiles`)).profiles.filter(
    (p: any) => p.profileUuid === waiting.appleProfileUuid,
  );
  expect(sent.profile.await_device_configured).toBe(true);
});

it('alerts DEVICE_MIGRATION_DEADLINE when the earliest deadline comes within a threshold, and resolves once it passed', async () => {
  const token = await uploadToken(t);
  await addMigrating(token, ['MIGRATE00002', 'MIGRATE00003'], new Date(t.clock.now().getTime() + 40 * DAY_MS));
  await sync(token);
  const alerts = async () => {
    await t.app.services.alerts.evaluateDepToken(token.rowId);
    return t.app.dataSource.query(`SELECT kind, severity, threshold, message FROM alerts WHERE dep_token_id = $1 AND kind = 'DEVICE_MIGRATION_DEADLINE' AND resolved_at IS NULL`, [
      token.rowId,
    ]);
  };
  expect(await alerts()).toEqual([]); // 40 days ahead: no threshold crossed

  t.clock.advance(33 * DAY_MS + 15 * MINUTE_MS); // 7 days minus a sync interval left
  const [raised] = await alerts();
  expect(raised).toMatchObject({ kind: 'DEVICE_MIGRATION_DEADLINE', severity: 'WARNING', threshold: 7 });
  expect(raised.message).toMatch(/^2 devices of DEP token ".*" are migrating to this MDM server without a wipe/);

  t.clock.advance(8 * DAY_MS); // the deadline passed
  expect(await alerts()).toEqual([]);
});
