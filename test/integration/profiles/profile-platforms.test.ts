/**
 * A profile of each platform through GraphQL, and the JSON the Apple simulator received for it:
 * every new key under Apple's name, nothing a platform does not read; settings that do not exist
 * on the platform refused with their code before Apple hears of the profile.
 */
import { randomUUID } from 'node:crypto';
import { generateVendorKeyPair } from '../../../src/tokens/key-pair.crypto';
import { simProfiles, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;
const ENROLLMENT_URL = 'https://mdm.example.com/enroll';

beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { ENROLLMENT_URL } });
  token = await uploadToken(t, 'Platforms');
});
afterAll(() => t.close());

const FIELDS = `id platform appleProfileUuid language region supportEmailAddress orgMagic autoAdvanceSetup configurationWebUrl multiUser
  anchorCertificates returnToService doNotUseProfileFromBackup warnings { code field message }`;
const CREATE = `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { ${FIELDS} } } }`;

async function create(input: Record<string, unknown>) {
  return t.gql(CREATE, { input: { tokenId: token.id, name: `P ${randomUUID().slice(0, 6)}`, ...input } });
}

async function received(appleProfileUuid: string): Promise<Record<string, unknown>> {
  const [defined] = (await simProfiles(t, token)).filter((p) => p.profileUuid === appleProfileUuid);
  return defined.profile;
}

const base = (name: string) => ({ profile_name: name, url: ENROLLMENT_URL, allow_pairing: false, is_supervised: true, is_mdm_removable: true, is_mandatory: true });

it('iOS: Shared iPad, return to service, backups, language, support address and org magic reach Apple under their names', async () => {
  const res = await create({
    name: 'Shared iPads',
    userAffinity: 'WITHOUT_USER',
    multiUser: true,
    returnToService: true,
    doNotUseProfileFromBackup: true,
    language: 'fr',
    region: 'fr',
    supportEmailAddress: 'it@example.com',
    orgMagic: 'site-7',
  });
  const profile = res.data.createEnrollmentProfile.profile;
  expect(profile).toMatchObject({ platform: 'IOS', region: 'FR', multiUser: true, returnToService: true });
  expect(profile.warnings.filter((w: any) => w.code === 'SETTING_NEEDS_NEWER_OS').map((w: any) => w.field)).toEqual([
    'language',
    'region',
    'returnToService',
    'doNotUseProfileFromBackup',
  ]);
  expect(await received(profile.appleProfileUuid)).toEqual({
    ...base('Shared iPads'),
    await_device_configured: true,
    auto_advance_setup: false,
    skip_setup_items: [],
    language: 'fr',
    region: 'FR',
    support_email_address: 'it@example.com',
    org_magic: 'site-7',
    is_multi_user: true,
    is_return_to_service: true,
    do_not_use_profile_from_backup: true,
  });
});

it('macOS: a user who signs in at the configuration web URL in Setup Assistant, auto-advance and an anchor certificate', async () => {
  const pem = generateVendorKeyPair({ now: t.clock.now(), validityDays: 365, commonName: 'Example Root CA' }).certificatePem;
  const der = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const res = await create({
    name: 'Macs',
    platform: 'MACOS',
    configurationWebUrl: 'https://login.example.com/setup',
    autoAdvanceSetup: true,
    anchorCertificates: [pem],
  });
  expect(res.errors).toBeUndefined();
  const profile = res.data.createEnrollmentProfile.profile;
  expect(profile.anchorCertificates.map((c: string) => c.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''))).toEqual([der]);
  expect(await received(profile.appleProfileUuid)).toEqual({
    ...base('Macs'),
    await_device_configured: true,
    auto_advance_setup: true,
    skip_setup_items: [],
    configuration_web_url: 'https://login.example.com/setup',
    anchor_certs: [der],
  });
});

it('tvOS: a kiosk Apple TV (no user by default) with language, region and auto-advance', async () => {
  const res = await create({ name: 'Apple TVs', platform: 'TVOS', language: 'de', region: 'DE', autoAdvanceSetup: true });
  expect(res.errors).toBeUndefined();
  const profile = res.data.createEnrollmentProfile.profile;
  expect(await received(profile.appleProfileUuid)).toEqual({
    ...base('Apple TVs'),
    await_device_configured: true,
    auto_advance_setup: true,
    skip_setup_items: [],
    language: 'de',
    region: 'DE',
  });
});

it('visionOS: return to service', async () => {
  const res = await create({ name: 'Vision Pros', platform: 'VISIONOS', returnToService: true });
  expect(res.errors).toBeUndefined();
  expect(await received(res.data.createEnrollmentProfile.profile.appleProfileUuid)).toEqual({
    ...base('Vision Pros'),
    await_device_configured: true,
    auto_advance_setup: false,
    skip_setup_items: [],
    is_return_to_service: true,
  });
});

it('refuses what does not exist on the platform or what Apple would refuse, and defines nothing at Apple', async () => {
  const before = (await simProfiles(t, token)).length;
  const cases: [Record<string, unknown>, string, string][] = [
    [{ platform: 'MACOS', singleAppModeUntilAuthentication: true }, 'PROFILE_SETTING_NOT_FOR_PLATFORM', 'singleAppModeUntilAuthentication'],
    [{ platform: 'MACOS', authenticationMethod: 'COMPANY_PORTAL' }, 'PROFILE_SETTING_NOT_FOR_PLATFORM', 'authenticationMethod'],
    [{ platform: 'MACOS', authenticationMethod: 'SETUP_ASSISTANT', multiUser: true }, 'PROFILE_SETTING_NOT_FOR_PLATFORM', 'multiUser'],
    [{ platform: 'TVOS', userAffinity: 'WITH_USER' }, 'PROFILE_SETTING_NOT_FOR_PLATFORM', 'userAffinity'],
    [{ autoAdvanceSetup: true, userAffinity: 'WITHOUT_USER' }, 'PROFILE_SETTING_NOT_FOR_PLATFORM', 'autoAdvanceSetup'],
    [{ language: 'English' }, 'PROFILE_LANGUAGE_INVALID', 'language'],
    [{ region: 'USA' }, 'PROFILE_REGION_INVALID', 'region'],
    [{ supportEmailAddress: 'helpdesk' }, 'SUPPORT_EMAIL_INVALID', 'supportEmailAddress'],
    [{ orgMagic: 'm'.repeat(257) }, 'ORG_MAGIC_TOO_LONG', 'orgMagic'],
    [{ configurationWebUrl: 'https://login.example.com' }, 'CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT', 'configurationWebUrl'],
    [{ anchorCertificates: ['not a certificate'] }, 'ANCHOR_CERTIFICATE_INVALID', 'anchorCertificates'],
  ];
  for (const [input, code, field] of cases) {
    const res = await create(input);
    expect([res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field]).toEqual([code, field]);
  }
  expect((await simProfiles(t, token)).length).toBe(before);
});

it('keeps the platform fixed on update', async () => {
  const created = (await create({ platform: 'TVOS' })).data.createEnrollmentProfile.profile;
  const updated = await t.gql(`mutation ($input: UpdateEnrollmentProfileInput!) { updateEnrollmentProfile(input: $input) { profile { platform language } } }`, {
    input: { profileId: created.id, language: 'it' },
  });
  expect(updated.data.updateEnrollmentProfile.profile).toEqual({ platform: 'TVOS', language: 'it' });
});

it('serves the skip-key catalogue (setupPanes) to readers', async () => {
  const reader = await t.createKey('READER');
  const res = await t.gql(
    `{ setupPanes { pane appleKey platforms introducedIn { platform version } deprecatedIn { platform version } removedIn { platform version } alwaysSkippable description } }`,
    {},
    reader,
  );
  expect(res.errors).toBeUndefined();
  const panes = new Map(res.data.setupPanes.map((p: any) => [p.pane, p]));
  expect(panes.size).toBe(55);
  expect(panes.get('TV_ROOM')).toMatchObject({ appleKey: 'TVRoom', platforms: ['TVOS'], introducedIn: [{ platform: 'TVOS', version: '11.4' }], alwaysSkippable: true });
  expect(panes.get('OS_SHOWCASE')).toMatchObject({
    platforms: ['IOS', 'MACOS'],
    removedIn: [
      { platform: 'IOS', version: '27.0' },
      { platform: 'MACOS', version: '27.0' },
    ],
  });
  expect(panes.get('ZOOM')).toMatchObject({ deprecatedIn: [{ platform: 'IOS', version: '17.0' }] });
  expect(panes.get('TAP_TO_SETUP')).toMatchObject({ alwaysSkippable: false });
  expect(panes.get('TIPS')).toMatchObject({ platforms: ['VISIONOS'] });
});

it('leaves panes of other platforms out of what Apple receives and says so', async () => {
  const res = await create({ platform: 'TVOS', hiddenSetupPanes: ['SIM_SETUP', 'TV_ROOM', 'SIRI', 'TAP_TO_SETUP'] });
  expect(res.errors).toBeUndefined();
  const profile = res.data.createEnrollmentProfile.profile;
  expect((await received(profile.appleProfileUuid)).skip_setup_items).toEqual(['Siri', 'TVRoom', 'TapToSetup']);
  expect(profile.warnings.filter((w: any) => w.code.startsWith('PANE_')).map((w: any) => w.code)).toEqual(['PANE_NOT_ON_PLATFORM', 'PANE_NOT_ALWAYS_SKIPPABLE']);
});
