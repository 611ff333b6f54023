/**
 * enrollmentReadiness against a real app, the simulator and a real HTTP server standing in for the
 * MDM server's enrollment URL: each missing prerequisite appears with its severity and hint and goes
 * away once fixed, on the injected clock; scope tags limit what a key is told about.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DAY_MS } from '../../../src/clock';
import { makePushCertificate } from '../../support/apns-fixtures';
import { createDevices, serials } from '../../support/dep-fixtures';
import { setLicences, uploadDep, uploadVpp } from '../../support/vpp-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const READINESS = `query ($tokenId: ID) { enrollmentReadiness(tokenId: $tokenId) {
  ready checkedAt items { code severity message hint count deviceFamilies enrollmentUrl token { id } profile { id } vppToken { id } } } }`;

let t: TestApp;
let mdm: http.Server;
let mdmStatus = 401;
let mdmUrl: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  mdm = http.createServer((_req, res) => res.writeHead(mdmStatus).end());
  await new Promise<void>((resolve) => mdm.listen(0, '127.0.0.1', resolve));
  mdmUrl = `http://127.0.0.1:${(mdm.address() as AddressInfo).port}/mdm/enroll`;
});
afterAll(async () => {
  await t.close();
  if (mdm.listening) await new Promise((resolve) => mdm.close(resolve));
});

const readiness = async (tokenId?: string, key?: string) => (await t.ok(READINESS, { tokenId }, key)).enrollmentReadiness;
const codes = async (tokenId?: string, key?: string) => (await readiness(tokenId, key)).items.map((i: any) => i.code);
const one = async (code: string, tokenId?: string) => (await readiness(tokenId)).items.find((i: any) => i.code === code);
const tag = async (name: string) => (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name })).createScopeTag.scopeTag.id;
const UPDATE_TOKEN = `mutation ($input: UpdateDepTokenInput!) { updateDepToken(input: $input) { token { id } } }`;

it('walks from nothing to ready, each item with its severity and hint', async () => {
  let r = await readiness();
  expect(r.ready).toBe(false);
  expect(r.items.map((i: any) => [i.code, i.severity])).toEqual([
    ['APNS_CERTIFICATE_MISSING', 'CRITICAL'],
    ['NO_DEP_TOKEN', 'CRITICAL'],
  ]);
  expect(r.items[0].hint).toContain('uploadApnsCertificate');

  const cert = makePushCertificate({ notBefore: t.clock.now(), days: 40 });
  await t.ok(`mutation ($input: UploadApnsCertificateInput!) { uploadApnsCertificate(input: $input) { apnsCertificate { id } } }`, {
    input: { certificate: cert.certificatePem, privateKey: cert.privateKeyPem, appleId: 'owner@example.com' },
  });
  const tagA = await tag('readiness-A');
  const dep = await uploadDep(t, { name: 'Devices A', scopeTagIds: [tagA] });
  const tokenId = dep.token.id;
  r = await readiness();
  // With the simulator the placeholder URL is fine, and said so.
  expect(r.items.map((i: any) => [i.code, i.severity])).toEqual([['ENROLLMENT_URL_PLACEHOLDER', 'INFO']]);
  expect(r.ready).toBe(true);

  // Devices arrive without a profile and the token has no default.
  const rowId = Buffer.from(tokenId, 'base64url').toString().split(':')[1];
  await createDevices(t, { id: tokenId, rowId, serverUuid: dep.serverUuid }, serials('RPHONE', 3), { deviceFamily: 'iPhone' });
  await createDevices(t, { id: tokenId, rowId, serverUuid: dep.serverUuid }, serials('RMAC', 2), { deviceFamily: 'Mac' });
  const noDefault = await one('NO_DEFAULT_PROFILE');
  expect(noDefault).toMatchObject({ severity: 'WARNING', count: 5, token: { id: tokenId } });
  expect([...noDefault.deviceFamilies].sort()).toEqual(['IPHONE', 'MAC']);
  expect(noDefault.hint).toContain('setDefaultEnrollmentProfile');
  expect(await one('DEVICES_WITHOUT_PROFILE')).toMatchObject({ severity: 'WARNING', count: 5 });

  // A profile installing Company Portal with a VPP token that has no licence left.
  const { vppToken, location } = await uploadVpp(t, { total: 10, assigned: 5, scopeTagIds: [tagA] });
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId, name: 'Company Portal', userAffinity: 'WITH_USER', authenticationMethod: 'COMPANY_PORTAL', companyPortalVppTokenId: vppToken.id },
    })
  ).createEnrollmentProfile.profile;
  expect(await codes()).not.toContain('PROFILE_VPP_LICENSES_EXHAUSTED');
  await setLicences(t, location.uId, 10, 10);
  await t.ok(`mutation ($id: ID!) { refreshVppTokenLicenses(input: {vppTokenId: $id}) { vppToken { id } } }`, { id: vppToken.id });
  expect(await one('PROFILE_VPP_LICENSES_EXHAUSTED')).toMatchObject({ severity: 'WARNING', profile: { id: profile.id }, vppToken: { id: vppToken.id }, token: { id: tokenId } });

  await t.ok(`mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) { token { id } } }`, {
    input: { tokenId, profileId: profile.id },
  });
  // An iOS default covers the iPhones; the Macs need a macOS default of their own.
  const macsOnly = await one('NO_DEFAULT_PROFILE');
  expect(macsOnly).toMatchObject({ count: 2, deviceFamilies: ['MAC'] });
  expect(macsOnly.message).toContain('macOS');
  const macProfile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId, name: 'Macs', platform: 'MACOS', userAffinity: 'WITHOUT_USER' },
    })
  ).createEnrollmentProfile.profile;
  await t.ok(`mutation ($input: SetDefaultEnrollmentProfileInput!) { setDefaultEnrollmentProfile(input: $input) { token { id } } }`, {
    input: { tokenId, profileId: macProfile.id, platform: 'MACOS' },
  });
  expect(await codes()).not.toContain('NO_DEFAULT_PROFILE');

  // The token's own enrollment URL: probed; any answer below 500 is reachable.
  await t.ok(UPDATE_TOKEN, { input: { tokenId, enrollmentUrl: mdmUrl } });
  expect(await codes()).toEqual(['DEVICES_WITHOUT_PROFILE', 'PROFILE_VPP_LICENSES_EXHAUSTED']);
  expect((await readiness()).ready).toBe(true);

  mdmStatus = 503;
  expect(await codes()).not.toContain('ENROLLMENT_URL_UNREACHABLE'); // the probe's answer is kept a minute
  t.clock.advance(61_000);
  const down = await one('ENROLLMENT_URL_UNREACHABLE');
  expect(down).toMatchObject({ severity: 'CRITICAL', enrollmentUrl: mdmUrl, token: { id: tokenId } });
  expect(down.message).toContain('HTTP 503');
  expect((await readiness()).ready).toBe(false);
  await new Promise((resolve) => mdm.close(resolve));
  t.clock.advance(61_000);
  expect((await one('ENROLLMENT_URL_UNREACHABLE')).message).toContain('ECONNREFUSED');

  // The push certificate ages on the clock.
  t.clock.advance(15 * DAY_MS);
  expect(await one('APNS_CERTIFICATE_EXPIRING')).toMatchObject({ severity: 'WARNING' });
  t.clock.advance(30 * DAY_MS);
  expect(await one('APNS_CERTIFICATE_EXPIRED')).toMatchObject({ severity: 'CRITICAL' });

  // Apple refuses the VPP token (revoked): devices fall back to the App Store Company Portal.
  await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/revoke`, {});
  const refused = (await t.ok(`mutation ($id: ID!) { refreshVppTokenLicenses(input: {vppTokenId: $id}) { vppToken { status } } }`, { id: vppToken.id }))
    .refreshVppTokenLicenses.vppToken;
  expect(refused.status).toBe('INVALID');
  expect(await one('PROFILE_VPP_TOKEN_EXPIRED')).toMatchObject({ severity: 'WARNING', profile: { id: profile.id }, vppToken: { id: vppToken.id } });
  expect(await codes()).not.toContain('PROFILE_VPP_LICENSES_EXHAUSTED');

  // Most severe first.
  const severities = (await readiness()).items.map((i: any) => i.severity);
  expect(severities).toEqual([...severities].sort((a: string, b: string) => ['CRITICAL', 'WARNING', 'INFO'].indexOf(a) - ['CRITICAL', 'WARNING', 'INFO'].indexOf(b)));
});

it('tells a scoped key only about its tokens, and refuses a token it may not see', async () => {
  const tagB = await tag('readiness-B');
  const other = await uploadDep(t, { name: 'Devices B', scopeTagIds: [tagB], expiresInDays: 10 });
  const readerB = await t.createKey('READER', [tagB]);
  const items = (await readiness(undefined, readerB)).items;
  expect(items.filter((i: any) => i.token).every((i: any) => i.token.id === other.token.id)).toBe(true);
  expect(items.map((i: any) => i.code)).toContain('DEP_TOKEN_EXPIRING');
  expect(items.map((i: any) => i.code)).not.toContain('DEVICES_WITHOUT_PROFILE');

  const [first] = (await t.ok(`{ depTokens(first: 1) { edges { node { id } } } }`)).depTokens.edges;
  const refused = await t.gql(READINESS, { tokenId: first.node.id }, readerB);
  expect(refused.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  const bad = await t.gql(READINESS, { tokenId: 'nonsense' });
  expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tokenId' });

  // With tokenId: that token's items only (plus the deployment-wide push certificate).
  const only = (await readiness(other.token.id)).items;
  expect(only.filter((i: any) => i.token).every((i: any) => i.token.id === other.token.id)).toBe(true);
  expect(only.map((i: any) => i.code)).not.toContain('NO_DEP_TOKEN');
});
