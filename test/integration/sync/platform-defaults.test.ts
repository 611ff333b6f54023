/**
 * The default-profile rule per platform: a sync with iPhones, iPads, Macs, Apple TVs and a Vision
 * Pro gives each device its platform's default profile (set through setDefaultEnrollmentProfile),
 * at Apple and here; a platform without a default is left alone and counted on the run.
 */
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { device, requestSync, uploadToken, waitForRun, type SyncedToken } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

async function createProfile(token: SyncedToken, name: string, platform?: string): Promise<{ id: string; appleProfileUuid: string; platform: string }> {
  return (
    await t.ok(
      `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id appleProfileUuid platform } } }`,
      { input: { tokenId: token.id, name, ...(platform ? { platform, userAffinity: 'WITHOUT_USER' } : {}) } },
    )
  ).createEnrollmentProfile.profile;
}

async function setDefault(token: SyncedToken, profileId: string | null, platform?: string) {
  return t.ok(
    `mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) {
       token { defaultProfile { id } defaultProfiles { platform profile { id name platform isDefault } } } } }`,
    { input: { tokenId: token.id, profileId, ...(platform ? { platform } : {}) } },
  );
}

async function appleProfileOf(token: SyncedToken, serial: string): Promise<string | undefined> {
  const devices = (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices`)).devices;
  return devices.find((d: any) => d.serial_number === serial)?.profile_uuid;
}

it('gives iPhones, iPads, Macs and Apple TVs their platform’s default and counts the Vision Pro that has none', async () => {
  const token = await uploadToken(t);
  const ios = await createProfile(token, 'iPhones and iPads');
  const mac = await createProfile(token, 'Macs', 'MACOS');
  const tv = await createProfile(token, 'Apple TVs', 'TVOS');
  expect([ios.platform, mac.platform, tv.platform]).toEqual(['IOS', 'MACOS', 'TVOS']);

  // Without a platform the profile's own platform is meant; the iOS one is also the old single default.
  await setDefault(token, ios.id);
  await setDefault(token, mac.id, 'MACOS');
  const after = (await setDefault(token, tv.id)).setDefaultEnrollmentProfile.token;
  expect(after.defaultProfile).toEqual({ id: ios.id });
  expect(after.defaultProfiles.map((d: any) => [d.platform, d.profile.name, d.profile.isDefault])).toEqual([
    ['IOS', 'iPhones and iPads', true],
    ['MACOS', 'Macs', true],
    ['TVOS', 'Apple TVs', true],
  ]);

  const add = async (deviceFamily: string, count: number): Promise<string[]> =>
    (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count, deviceFamily })).serials;
  const iphones = await add('iPhone', 2);
  const ipads = await add('iPad', 1);
  const macs = await add('Mac', 2);
  const tvs = await add('AppleTV', 2);
  const [vision] = await add('Vision', 1);

  t.clock.advance(15 * MINUTE_MS);
  const run = await waitForRun(t, await requestSync(t, token));
  expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 8, assignments_made: 7, assignments_failed: 0, devices_without_default_profile: 1 });

  for (const [serials, profile] of [[[...iphones, ...ipads], ios], [macs, mac], [tvs, tv]] as const) {
    for (const serial of serials) {
      expect(await appleProfileOf(token, serial)).toBe(profile.appleProfileUuid);
      expect(await device(t, token.rowId, serial)).toMatchObject({ apple_profile_uuid: profile.appleProfileUuid, profile_status: 'ASSIGNED' });
    }
  }
  expect(await appleProfileOf(token, vision)).toBeUndefined();
  expect(await device(t, token.rowId, vision)).toMatchObject({ profile_id: null, last_assignment_result: null });

  const runs = await t.ok(`query ($id: ID!) { node(id: $id) { ... on DepToken { syncRuns(first: 1) { edges { node { devicesWithoutDefaultProfile assignmentsMade } } } } } }`, {
    id: token.id,
  });
  expect(runs.node.syncRuns.edges[0].node).toEqual({ devicesWithoutDefaultProfile: 1, assignmentsMade: 7 });
});

it('refuses a default of another platform with PROFILE_PLATFORM_MISMATCH and changes nothing', async () => {
  const token = await uploadToken(t);
  const mac = await createProfile(token, 'Macs', 'MACOS');
  const res = await t.gql(
    `mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) { token { id } } }`,
    { input: { tokenId: token.id, profileId: mac.id, platform: 'IOS' } },
  );
  expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'PROFILE_PLATFORM_MISMATCH', platform: 'IOS', profilePlatform: 'MACOS' } });
  const [row] = await t.app.dataSource.query(`SELECT default_profile_id, default_macos_profile_id FROM dep_tokens WHERE id = $1`, [token.rowId]);
  expect(row).toEqual({ default_profile_id: null, default_macos_profile_id: null });
});

it("refuses to delete any platform's default (PROFILE_IN_USE) until that platform's default is cleared", async () => {
  const token = await uploadToken(t);
  const ios = await createProfile(token, 'iPhones');
  const tv = await createProfile(token, 'Apple TVs', 'TVOS');
  await setDefault(token, ios.id);
  await setDefault(token, tv.id);
  const remove = (id: string) =>
    t.gql(`mutation ($input: DeleteEnrollmentProfileInput!) { deleteEnrollmentProfile(input: $input) { deletedEnrollmentProfileId } }`, {
      input: { profileId: id },
    });

  expect((await remove(tv.id)).errors?.[0].extensions).toMatchObject({ code: 'PROFILE_IN_USE', reason: 'DEFAULT_PROFILE' });
  // Clearing names the platform; the iOS default stays.
  const cleared = (await setDefault(token, null, 'TVOS')).setDefaultEnrollmentProfile.token;
  expect(cleared.defaultProfiles.map((d: any) => d.platform)).toEqual(['IOS']);
  expect((await remove(tv.id)).errors).toBeUndefined();
  expect((await remove(ios.id)).errors?.[0].extensions).toMatchObject({ code: 'PROFILE_IN_USE', reason: 'DEFAULT_PROFILE' });
});
