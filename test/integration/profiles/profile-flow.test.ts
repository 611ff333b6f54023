/**
 * Enrollment profiles through GraphQL against the Apple simulator and a real PostgreSQL: every
 * setting reaches Apple's profile JSON as the simulator received it, every rule refuses with its
 * own code and leaves nothing behind (neither a row nor an Apple profile), updates define a new
 * Apple profile and move the devices, deletion and the default profile, Apple Configurator
 * certificates, and scope-tag visibility.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../../src/clock';
import { toGlobalId } from '../../../src/graphql/global-id';
import { generateVendorKeyPair } from '../../../src/tokens/key-pair.crypto';
import { createDevices, serials, simDevices, simProfiles, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
const MAX_PROFILES = 3;
const ENROLLMENT_URL = 'https://mdm.example.com/enroll';

beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { MAX_PROFILES_PER_TOKEN: String(MAX_PROFILES), ENROLLMENT_URL } });
});
afterAll(() => t.close());

const PROFILE_FIELDS = `id name description userAffinity authenticationMethod installCompanyPortal companyPortalVppTokenId companyPortalVppToken { id name }
  singleAppModeUntilAuthentication supervised lockedEnrollment awaitFinalConfiguration syncWithComputers
  appleConfiguratorCertificates { id subject } deviceNameTemplate exampleDeviceName departmentName departmentPhone
  hiddenSetupPanes isDefault requiredLicense appleProfileUuid warnings { code field message } token { id } deviceCount`;
const CREATE = `mutation ($input: CreateEnrollmentProfileInput!) {
  createEnrollmentProfile(input: $input) { profile { ${PROFILE_FIELDS} } warnings { code } } }`;
const UPDATE = `mutation ($input: UpdateEnrollmentProfileInput!) {
  updateEnrollmentProfile(input: $input) { profile { ${PROFILE_FIELDS} } warnings { code field } movedDevices } }`;
const DELETE = `mutation ($id: ID!) { deleteEnrollmentProfile(input: {profileId: $id}) { deletedEnrollmentProfileId } }`;
const SET_DEFAULT = `mutation ($tokenId: ID!, $profileId: ID) {
  setDefaultEnrollmentProfile(input: {tokenId: $tokenId, profileId: $profileId}) { token { id defaultProfile { id name } } } }`;
const ADD_CERT = `mutation ($pem: String!, $name: String) {
  addAppleConfiguratorCertificate(input: {pem: $pem, name: $name}) { certificate { id name subject thumbprintSha256 notAfter certificatePem } } }`;

async function profileRows(tokenRowId: string): Promise<number> {
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM enrollment_profiles WHERE token_id = $1`, [tokenRowId]);
  return n;
}

function certificatePem(options: { daysValid?: number; now?: Date; commonName?: string } = {}): string {
  return generateVendorKeyPair({
    now: options.now ?? t.clock.now(),
    validityDays: options.daysValid ?? 365,
    commonName: options.commonName ?? `Apple Configurator ${randomUUID().slice(0, 6)}`,
  }).certificatePem;
}

async function addCertificate(name?: string): Promise<{ id: string; certificatePem: string; subject: string }> {
  return (await t.ok(ADD_CERT, { pem: certificatePem(), name })).addAppleConfiguratorCertificate.certificate;
}

const pemToDerBase64 = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

async function createProfile(token: UploadedToken, input: Record<string, unknown> = {}) {
  const res = await t.gql(CREATE, { input: { tokenId: token.id, name: `Profile ${randomUUID().slice(0, 6)}`, ...input } });
  return { res, profile: res.data?.createEnrollmentProfile?.profile, warnings: res.data?.createEnrollmentProfile?.warnings };
}

async function insertVppToken(options: { expired?: boolean; available?: number } = {}): Promise<string> {
  const id = randomUUID();
  const now = t.clock.now();
  await t.app.dataSource.query(
    `INSERT INTO vpp_tokens (id, name, location_uid, token_sealed, expires_at, cp_total_count, cp_assigned_count, cp_available_count, created_at, updated_at)
     VALUES ($1, 'Location', $2, 'sealed', $3, 100, $4, $5, $6, $6)`,
    [id, `uid-${id}`, new Date(now.getTime() + (options.expired ? -DAY_MS : 300 * DAY_MS)), 100 - (options.available ?? 50), options.available ?? 50, now],
  );
  return toGlobalId('VppToken', id);
}

describe('creating a profile', () => {
  let token: UploadedToken;
  beforeAll(async () => {
    token = await uploadToken(t, 'create-token');
  });

  it('defines it at Apple with every setting mapped, and stores the profile_uuid Apple returned', async () => {
    const cert = await addCertificate('Build Mac');
    const { res, profile, warnings } = await createProfile(token, {
      name: '  Corporate iPhones  ',
      description: 'Sales team',
      userAffinity: 'WITH_USER',
      authenticationMethod: 'SETUP_ASSISTANT',
      installCompanyPortal: true,
      supervised: true,
      lockedEnrollment: true,
      awaitFinalConfiguration: true,
      syncWithComputers: 'ALLOW_BY_CERTIFICATE',
      appleConfiguratorCertificateIds: [cert.id],
      deviceNameTemplate: 'ACME-{{DEVICETYPE}}-{{SERIAL}}',
      departmentName: 'IT Service Desk',
      departmentPhone: '+1 555 0100',
      hiddenSetupPanes: ['SIRI', 'APPLE_PAY', 'EXPRESS_LANGUAGE', 'WELCOME', 'SIRI'],
    });
    expect(res.errors).toBeUndefined();
    expect(profile).toMatchObject({
      name: 'Corporate iPhones',
      description: 'Sales team',
      userAffinity: 'WITH_USER',
      authenticationMethod: 'SETUP_ASSISTANT',
      lockedEnrollment: true,
      syncWithComputers: 'ALLOW_BY_CERTIFICATE',
      appleConfiguratorCertificates: [{ id: cert.id, subject: cert.subject }],
      exampleDeviceName: 'ACME-iPhone-DMPXK9ABCDEF',
      hiddenSetupPanes: ['APPLE_PAY', 'SIRI', 'EXPRESS_LANGUAGE', 'WELCOME'],
      requiredLicense: 'USER',
      isDefault: false,
      token: { id: token.id },
      deviceCount: 0,
    });
    // Keyboard (EXPRESS_LANGUAGE) can show before the profile arrives: the skip-key catalogue says so.
    expect(warnings.map((w: any) => w.code)).toEqual(['MFA_NEEDS_COMPANY_PORTAL', 'PANE_NOT_ALWAYS_SKIPPABLE']);

    const [defined] = (await simProfiles(t, token)).filter((p) => p.profileUuid === profile.appleProfileUuid);
    expect(defined.profile).toEqual({
      profile_name: 'Corporate iPhones',
      url: ENROLLMENT_URL,
      allow_pairing: true,
      is_supervised: true,
      is_mdm_removable: false,
      is_mandatory: true,
      await_device_configured: true,
      auto_advance_setup: false,
      skip_setup_items: ['Keyboard', 'Payment', 'Siri', 'Welcome'],
      department: 'IT Service Desk',
      support_phone_number: '+1 555 0100',
      supervising_host_certs: [pemToDerBase64(cert.certificatePem)],
    });
  });

  it('maps a kiosk profile: no user, deny pairing, unsupervised (with the warning), defaults that need no user', async () => {
    const { res, profile } = await createProfile(token, { name: 'Kiosk iPads', userAffinity: 'WITHOUT_USER', supervised: false });
    expect(res.errors).toBeUndefined();
    expect(profile).toMatchObject({
      userAffinity: 'WITHOUT_USER',
      authenticationMethod: null,
      installCompanyPortal: false,
      requiredLicense: 'DEVICE',
      syncWithComputers: 'DENY_ALL',
      exampleDeviceName: null,
    });
    expect(profile.warnings.map((w: any) => w.code)).toEqual(['UNSUPERVISED_IGNORED']);
    const [defined] = (await simProfiles(t, token)).filter((p) => p.profileUuid === profile.appleProfileUuid);
    expect(defined.profile).toEqual({
      profile_name: 'Kiosk iPads',
      url: ENROLLMENT_URL,
      allow_pairing: false,
      is_supervised: false,
      is_mdm_removable: true,
      is_mandatory: true,
      await_device_configured: true,
      auto_advance_setup: false,
      skip_setup_items: [],
    });
  });

  it('defaults to Company Portal authentication with user affinity, and says Company Portal must finish within 24 hours', async () => {
    const { profile } = await createProfile(token, { syncWithComputers: 'ALLOW_ALL' });
    expect(profile).toMatchObject({ userAffinity: 'WITH_USER', authenticationMethod: 'COMPANY_PORTAL', installCompanyPortal: true, supervised: true });
    expect(profile.warnings.map((w: any) => w.code)).toEqual(['COMPANY_PORTAL_24_HOURS']);
    const [defined] = (await simProfiles(t, token)).filter((p) => p.profileUuid === profile.appleProfileUuid);
    expect(defined.profile).toMatchObject({ allow_pairing: true });
    expect(defined.profile).not.toHaveProperty('supervising_host_certs');
  });

  it(`refuses more than MAX_PROFILES_PER_TOKEN (${MAX_PROFILES} here) profiles per token with PROFILE_LIMIT_REACHED`, async () => {
    const own = await uploadToken(t, 'limit-token');
    for (let i = 0; i < MAX_PROFILES; i++) expect((await createProfile(own)).res.errors).toBeUndefined();
    const before = (await simProfiles(t, own)).length;
    const { res } = await createProfile(own);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'PROFILE_LIMIT_REACHED', max: MAX_PROFILES });
    expect(await profileRows(own.rowId)).toBe(MAX_PROFILES);
    expect((await simProfiles(t, own)).length).toBe(before);
  });

  it('is NOT_FOUND on a token the key cannot see, and needs the OPERATOR role', async () => {
    const reader = await t.createKey('READER');
    expect((await t.gql(CREATE, { input: { tokenId: token.id, name: 'x' } }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "profiles-elsewhere"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('OPERATOR', [tag]);
    const res = await t.gql(CREATE, { input: { tokenId: token.id, name: 'x' } }, scoped);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('every rule refuses with its own code and saves nothing', () => {
  let token: UploadedToken;
  let certIds: string[];
  let vppToken: string;
  let expiredVppToken: string;
  beforeAll(async () => {
    token = await uploadToken(t, 'rules-token');
    certIds = [];
    for (let i = 0; i < 11; i++) certIds.push((await addCertificate()).id);
    vppToken = await insertVppToken();
    expiredVppToken = await insertVppToken({ expired: true });
  });

  const missingCertificate = toGlobalId('AppleConfiguratorCertificate', '00000000-0000-4000-8000-000000000000');
  const missingVppToken = toGlobalId('VppToken', '00000000-0000-4000-8000-000000000001');
  const cases: [string, string, () => Record<string, unknown>, string | null][] = [
    ['PROFILE_NAME_REQUIRED', 'a blank name', () => ({ name: '   ' }), null],
    ['PROFILE_NAME_TOO_LONG', 'a name of 126 characters', () => ({ name: 'n'.repeat(126) }), null],
    ['PROFILE_DESCRIPTION_TOO_LONG', 'a description of 1025 characters', () => ({ description: 'd'.repeat(1025) }), null],
    ['AUTHENTICATION_METHOD_REQUIRED', 'user affinity without an authentication method', () => ({ userAffinity: 'WITH_USER', authenticationMethod: null }), null],
    ['AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY', 'an authentication method without user affinity', () => ({ userAffinity: 'WITHOUT_USER', authenticationMethod: 'SETUP_ASSISTANT' }), null],
    ['COMPANY_PORTAL_REQUIRES_USER_AFFINITY', 'Company Portal without user affinity', () => ({ userAffinity: 'WITHOUT_USER', installCompanyPortal: true }), null],
    ['COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL', 'a VPP token without Company Portal', () => ({ authenticationMethod: 'SETUP_ASSISTANT', installCompanyPortal: false, companyPortalVppTokenId: vppToken }), null],
    ['COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND', 'a VPP token that does not exist', () => ({ companyPortalVppTokenId: missingVppToken }), null],
    ['COMPANY_PORTAL_VPP_TOKEN_EXPIRED', 'an expired VPP token', () => ({ companyPortalVppTokenId: expiredVppToken }), null],
    ['SINGLE_APP_MODE_REQUIRES_USER_AFFINITY', 'single app mode without user affinity', () => ({ userAffinity: 'WITHOUT_USER', singleAppModeUntilAuthentication: true }), null],
    ['SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL', 'single app mode with Setup Assistant authentication', () => ({ authenticationMethod: 'SETUP_ASSISTANT', singleAppModeUntilAuthentication: true }), null],
    ['SINGLE_APP_MODE_REQUIRES_VPP_TOKEN', 'single app mode without a Company Portal VPP token', () => ({ singleAppModeUntilAuthentication: true }), null],
    ['SINGLE_APP_MODE_REQUIRES_SUPERVISION', 'single app mode on an unsupervised profile', () => ({ singleAppModeUntilAuthentication: true, companyPortalVppTokenId: vppToken, supervised: false }), null],
    ['LOCKED_ENROLLMENT_REQUIRES_SUPERVISION', 'locked enrollment without supervision', () => ({ supervised: false, lockedEnrollment: true }), null],
    ['CONFIGURATOR_CERTIFICATES_REQUIRED', 'sync by certificate without a certificate', () => ({ syncWithComputers: 'ALLOW_BY_CERTIFICATE' }), null],
    ['CONFIGURATOR_CERTIFICATES_TOO_MANY', 'sync by certificate with 11 certificates', () => ({ syncWithComputers: 'ALLOW_BY_CERTIFICATE', appleConfiguratorCertificateIds: certIds }), null],
    ['CONFIGURATOR_CERTIFICATES_NOT_ALLOWED', 'certificates while pairing is denied', () => ({ syncWithComputers: 'DENY_ALL', appleConfiguratorCertificateIds: certIds.slice(0, 1) }), null],
    ['CONFIGURATOR_CERTIFICATE_NOT_FOUND', 'a certificate that does not exist', () => ({ syncWithComputers: 'ALLOW_BY_CERTIFICATE', appleConfiguratorCertificateIds: [certIds[0], missingCertificate] }), null],
    ['DEPARTMENT_NAME_TOO_LONG', 'a department name of 126 characters', () => ({ departmentName: 'd'.repeat(126) }), null],
    ['DEPARTMENT_PHONE_TOO_LONG', 'a department phone of 51 characters', () => ({ departmentPhone: '1'.repeat(51) }), null],
    ['DEVICE_NAME_TEMPLATE_INVALID', 'an unknown placeholder', () => ({ deviceNameTemplate: 'Dev-{{IMEI}}' }), 'UNKNOWN_PLACEHOLDER'],
    ['DEVICE_NAME_TEMPLATE_INVALID', 'a lower-case placeholder', () => ({ deviceNameTemplate: 'Dev-{{serial}}' }), 'UNKNOWN_PLACEHOLDER'],
    ['DEVICE_NAME_TEMPLATE_INVALID', 'a template longer than 63 characters once expanded', () => ({ deviceNameTemplate: `${'x'.repeat(45)}-{{DEVICETYPE}}-{{SERIAL}}` }), 'TOO_LONG'],
    ['DEVICE_NAME_TEMPLATE_INVALID', 'a character device names cannot have', () => ({ deviceNameTemplate: 'A/B {{SERIAL}}' }), 'INVALID_CHARACTER'],
  ];

  // Every row has four entries: jest-each would take a missing one for a `done` callback.
  it.each(cases)('%s: %s', async (code, _label, input, reason) => {
    const profilesBefore = await profileRows(token.rowId);
    const appleBefore = (await simProfiles(t, token)).length;
    const { res } = await createProfile(token, input());
    expect(res.errors?.[0].extensions?.code).toBe(code);
    if (reason) expect(res.errors?.[0].extensions?.reason).toBe(reason);
    expect(res.errors?.[0].extensions?.violations.map((v: any) => v.code)).toContain(code);
    expect(await profileRows(token.rowId)).toBe(profilesBefore);
    expect((await simProfiles(t, token)).length).toBe(appleBefore);
  });

  it('accepts the limits themselves: 125-character name and department, 50-character phone, 10 certificates, 63-character names', async () => {
    const { res, profile } = await createProfile(token, {
      name: 'n'.repeat(125),
      departmentName: 'd'.repeat(125),
      departmentPhone: '1'.repeat(50),
      syncWithComputers: 'ALLOW_BY_CERTIFICATE',
      appleConfiguratorCertificateIds: certIds.slice(0, 10),
      deviceNameTemplate: `${'x'.repeat(42)}-{{DEVICETYPE}}-{{SERIAL}}`,
    });
    expect(res.errors).toBeUndefined();
    expect(profile.appleConfiguratorCertificates).toHaveLength(10);
    expect(profile.exampleDeviceName).toBe(`${'x'.repeat(42)}-iPhone-DMPXK9ABCDEF`);
    // 63 for an AppleTV, the longest device type, which the check counts with.
    await t.ok(DELETE, { id: profile.id });
  });

  it('single app mode with a Company Portal VPP token on a supervised profile is accepted, with its MFA warning', async () => {
    const { res, profile } = await createProfile(token, { singleAppModeUntilAuthentication: true, companyPortalVppTokenId: vppToken });
    expect(res.errors).toBeUndefined();
    expect(profile.companyPortalVppTokenId).toBe(vppToken);
    expect(profile.companyPortalVppToken).toEqual({ id: vppToken, name: 'Location' });
    expect(profile.warnings.map((w: any) => w.code)).toEqual(['COMPANY_PORTAL_24_HOURS', 'SINGLE_APP_MODE_NO_MFA']);
    await t.ok(DELETE, { id: profile.id });
  });

  it('warns ahead of time when the Company Portal VPP token runs low on licences', async () => {
    const low = await insertVppToken({ available: 2 });
    const { profile } = await createProfile(token, { companyPortalVppTokenId: low });
    expect(profile.warnings.map((w: any) => w.code)).toContain('VPP_TOKEN_FALLBACK');
    await t.ok(DELETE, { id: profile.id });
  });

  it("returns Apple's refusal as PROFILE_REJECTED_BY_APPLE with Apple's code, and saves nothing", async () => {
    await t.simControl('POST', '/_sim/faults', { status: 400, body: 'CONFIG_NAME_INVALID', count: 1, path: '/profile', method: 'POST' });
    const before = await profileRows(token.rowId);
    const { res } = await createProfile(token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'PROFILE_REJECTED_BY_APPLE', appleCode: 'CONFIG_NAME_INVALID' });
    expect(await profileRows(token.rowId)).toBe(before);
  });

  it('is APPLE_UNAVAILABLE when Apple does not answer, and saves nothing', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 503, count: 3, path: '/profile', method: 'POST' });
    const before = await profileRows(token.rowId);
    const { res } = await createProfile(token);
    expect(res.errors?.[0].extensions?.code).toBe('APPLE_UNAVAILABLE');
    expect(await profileRows(token.rowId)).toBe(before);
    await t.simControl('DELETE', '/_sim/faults');
  });
});

describe('updating a profile', () => {
  let token: UploadedToken;
  beforeEach(async () => {
    token = await uploadToken(t, `update-token-${randomUUID().slice(0, 6)}`);
  });

  it('defines a new Apple profile and moves the devices that had the old one', async () => {
    const { profile } = await createProfile(token, { name: 'Field iPads' });
    const devices = serials('UPD', 3);
    await createDevices(t, token, devices);
    await t.ok(`mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`, {
      p: profile.id,
      s: devices,
    });
    const res = await t.ok(UPDATE, { input: { profileId: profile.id, hiddenSetupPanes: ['PASSCODE'], lockedEnrollment: true } });
    const updated = res.updateEnrollmentProfile;
    expect(updated.profile.appleProfileUuid).not.toBe(profile.appleProfileUuid);
    expect(updated.movedDevices).toBe(3);
    expect(updated.warnings.map((w: any) => w.code)).toEqual(['COMPANY_PORTAL_24_HOURS', 'PASSCODE_PANE_HIDDEN', 'CHANGES_NEED_WIPE']);

    const defined = (await simProfiles(t, token)).find((p) => p.profileUuid === updated.profile.appleProfileUuid)!;
    expect(defined.profile).toMatchObject({ profile_name: 'Field iPads', is_mdm_removable: false, skip_setup_items: ['Passcode'] });
    const atApple = await simDevices(t, token);
    for (const serial of devices) expect(atApple.get(serial)?.profile_uuid).toBe(updated.profile.appleProfileUuid);
    const rows = await t.app.dataSource.query(`SELECT DISTINCT apple_profile_uuid FROM devices WHERE serial_number = ANY($1)`, [devices]);
    expect(rows).toEqual([{ apple_profile_uuid: updated.profile.appleProfileUuid }]);
  });

  it('does not call Apple when only the description changes', async () => {
    const { profile } = await createProfile(token);
    const before = (await simProfiles(t, token)).length;
    const res = await t.ok(UPDATE, { input: { profileId: profile.id, description: 'only for admins' } });
    expect(res.updateEnrollmentProfile.profile).toMatchObject({ description: 'only for admins', appleProfileUuid: profile.appleProfileUuid });
    expect(res.updateEnrollmentProfile.warnings.map((w: any) => w.code)).not.toContain('CHANGES_NEED_WIPE');
    expect((await simProfiles(t, token)).length).toBe(before);
  });

  it('keeps everything as it was when a rule refuses the change', async () => {
    const { profile } = await createProfile(token, { departmentName: 'IT' });
    const before = (await simProfiles(t, token)).length;
    const res = await t.gql(UPDATE, { input: { profileId: profile.id, supervised: false, lockedEnrollment: true, departmentName: 'Ops' } });
    expect(res.errors?.[0].extensions?.code).toBe('LOCKED_ENROLLMENT_REQUIRES_SUPERVISION');
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { ... on EnrollmentProfile { supervised departmentName appleProfileUuid } } }`, { id: profile.id });
    expect(node.node).toEqual({ supervised: true, departmentName: 'IT', appleProfileUuid: profile.appleProfileUuid });
    expect((await simProfiles(t, token)).length).toBe(before);
  });

  it('switching to no user affinity resets what needs a user; null clears optional text', async () => {
    const { profile } = await createProfile(token, { departmentPhone: '555' });
    const res = await t.ok(UPDATE, { input: { profileId: profile.id, userAffinity: 'WITHOUT_USER', departmentPhone: null } });
    expect(res.updateEnrollmentProfile.profile).toMatchObject({
      userAffinity: 'WITHOUT_USER',
      authenticationMethod: null,
      installCompanyPortal: false,
      requiredLicense: 'DEVICE',
      departmentPhone: null,
    });
  });

  it('is NOT_FOUND for a key that cannot see the token', async () => {
    const { profile } = await createProfile(token);
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "update-elsewhere"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('OPERATOR', [tag]);
    expect((await t.gql(UPDATE, { input: { profileId: profile.id, name: 'stolen' } }, scoped)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: profile.id }, scoped)).node).toBeNull();
  });
});

describe('the default profile and deleting profiles', () => {
  let token: UploadedToken;
  beforeAll(async () => {
    token = await uploadToken(t, 'default-token');
  });

  it('sets and clears the default profile; isDefault and defaultProfile follow', async () => {
    const { profile } = await createProfile(token, { name: 'Default one' });
    const set = await t.ok(SET_DEFAULT, { tokenId: token.id, profileId: profile.id });
    expect(set.setDefaultEnrollmentProfile.token.defaultProfile).toEqual({ id: profile.id, name: 'Default one' });
    const read = await t.ok(`query ($id: ID!) { depToken(id: $id) { defaultProfile { id isDefault } profiles { totalCount edges { node { id isDefault } } } } }`, {
      id: token.id,
    });
    expect(read.depToken.defaultProfile).toEqual({ id: profile.id, isDefault: true });
    expect(read.depToken.profiles.edges.find((e: any) => e.node.id === profile.id).node.isDefault).toBe(true);

    const deleting = await t.gql(DELETE, { id: profile.id });
    expect(deleting.errors?.[0].extensions).toMatchObject({ code: 'PROFILE_IN_USE', reason: 'DEFAULT_PROFILE' });

    const cleared = await t.ok(SET_DEFAULT, { tokenId: token.id, profileId: null });
    expect(cleared.setDefaultEnrollmentProfile.token.defaultProfile).toBeNull();
    expect((await t.ok(DELETE, { id: profile.id })).deleteEnrollmentProfile.deletedEnrollmentProfileId).toBe(profile.id);
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: profile.id })).node).toBeNull();
  });

  it("refuses another token's profile as default with PROFILE_TOKEN_MISMATCH", async () => {
    const other = await uploadToken(t, 'default-other');
    const { profile } = await createProfile(other);
    const res = await t.gql(SET_DEFAULT, { tokenId: token.id, profileId: profile.id });
    expect(res.errors?.[0].extensions?.code).toBe('PROFILE_TOKEN_MISMATCH');
  });

  it('refuses to delete a profile devices hold, with PROFILE_IN_USE', async () => {
    const { profile } = await createProfile(token);
    const devices = serials('DEL', 2);
    await createDevices(t, token, devices);
    await t.ok(`mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`, {
      p: profile.id,
      s: devices,
    });
    const res = await t.gql(DELETE, { id: profile.id });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'PROFILE_IN_USE', reason: 'ASSIGNED_TO_DEVICES', deviceCount: 2 });
  });

  it('a token with profiles cannot be deleted (TOKEN_IN_USE)', async () => {
    const own = await uploadToken(t, 'in-use-token');
    const { profile } = await createProfile(own);
    const res = await t.gql(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: own.id });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOKEN_IN_USE', dependents: 'enrollment profiles', count: 1 });
    await t.ok(DELETE, { id: profile.id });
    await t.ok(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: own.id });
  });
});

describe('Apple Configurator certificates', () => {
  it('accepts PEM and base64 DER, storing subject, SHA-256 thumbprint and expiry', async () => {
    const pem = certificatePem({ commonName: 'Configurator Mac 1' });
    const fromPem = (await t.ok(ADD_CERT, { pem, name: 'Mac 1' })).addAppleConfiguratorCertificate.certificate;
    expect(fromPem).toMatchObject({ name: 'Mac 1', subject: 'CN=Configurator Mac 1' });
    expect(fromPem.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(fromPem.notAfter).getTime()).toBeGreaterThan(t.clock.now().getTime());

    const der = pemToDerBase64(certificatePem({ commonName: 'Configurator Mac 2' }));
    const fromDer = (await t.ok(ADD_CERT, { pem: der })).addAppleConfiguratorCertificate.certificate;
    expect(fromDer).toMatchObject({ name: null, subject: 'CN=Configurator Mac 2' });
    expect(pemToDerBase64(fromDer.certificatePem)).toBe(der);

    const list = await t.ok(`{ appleConfiguratorCertificates(first: 500) { edges { node { id } } } }`, undefined, await t.createKey('READER'));
    expect(list.appleConfiguratorCertificates.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining([fromPem.id, fromDer.id]));
  });

  it.each([
    ['garbage', 'not a certificate', 'MALFORMED'],
    ['a private key', generateVendorKeyPair({ now: new Date() }).privateKeyPem, 'PRIVATE_KEY'],
    ['an empty string', '   ', 'EMPTY'],
  ])('refuses %s with CONFIGURATOR_CERTIFICATE_INVALID', async (_label, pem, reason) => {
    const res = await t.gql(ADD_CERT, { pem });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFIGURATOR_CERTIFICATE_INVALID', reason, field: 'pem' });
  });

  it('refuses an expired certificate and a duplicate', async () => {
    const expired = certificatePem({ now: new Date(t.clock.now().getTime() - 10 * DAY_MS), daysValid: 1 });
    expect((await t.gql(ADD_CERT, { pem: expired })).errors?.[0].extensions?.code).toBe('CONFIGURATOR_CERTIFICATE_EXPIRED');
    const pem = certificatePem();
    await t.ok(ADD_CERT, { pem });
    expect((await t.gql(ADD_CERT, { pem })).errors?.[0].extensions?.code).toBe('CONFIGURATOR_CERTIFICATE_DUPLICATE');
  });

  it('needs ADMIN to add or delete; deleting one a profile lists is CONFIGURATOR_CERTIFICATE_IN_USE', async () => {
    const operator = await t.createKey('OPERATOR');
    expect((await t.gql(ADD_CERT, { pem: certificatePem() }, operator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const token = await uploadToken(t, 'cert-token');
    const cert = await addCertificate();
    const { profile } = await createProfile(token, { syncWithComputers: 'ALLOW_BY_CERTIFICATE', appleConfiguratorCertificateIds: [cert.id] });
    const DELETE_CERT = `mutation ($id: ID!) { deleteAppleConfiguratorCertificate(input: {certificateId: $id}) { deletedAppleConfiguratorCertificateId } }`;
    expect((await t.gql(DELETE_CERT, { id: cert.id }, operator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(DELETE_CERT, { id: cert.id })).errors?.[0].extensions).toMatchObject({ code: 'CONFIGURATOR_CERTIFICATE_IN_USE', profileCount: 1 });
    await t.ok(UPDATE, { input: { profileId: profile.id, syncWithComputers: 'DENY_ALL', appleConfiguratorCertificateIds: [] } });
    expect((await t.ok(DELETE_CERT, { id: cert.id })).deleteAppleConfiguratorCertificate.deletedAppleConfiguratorCertificateId).toBe(cert.id);
  });
});

describe('visibility through scope tags', () => {
  it('profiles inherit their token’s tags: lists, node and nested fields', async () => {
    const tagA = (await t.ok(`mutation { createScopeTag(input: {name: "profiles-A"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const tokenA = await uploadToken(t, 'visible-A', [tagA]);
    const tokenB = await uploadToken(t, 'visible-B');
    const a = (await createProfile(tokenA, { name: 'A profile' })).profile;
    const b = (await createProfile(tokenB, { name: 'B profile' })).profile;
    const readerA = await t.createKey('READER', [tagA]);
    const nodes = await t.ok(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [a.id, b.id] }, readerA);
    expect(nodes.nodes).toEqual([{ id: a.id }, null]);
    const tokens = await t.ok(`{ depTokens(first: 100) { edges { node { name profiles { edges { node { name token { name } } } } } } } }`, undefined, readerA);
    expect(tokens.depTokens.edges).toEqual([{ node: { name: 'visible-A', profiles: { edges: [{ node: { name: 'A profile', token: { name: 'visible-A' } } }] } } }]);
    const operatorA = await t.createKey('OPERATOR', [tagA]);
    expect((await t.gql(DELETE, { id: b.id }, operatorA)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(SET_DEFAULT, { tokenId: tokenA.id, profileId: b.id }, operatorA)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
