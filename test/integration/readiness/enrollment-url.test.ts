/**
 * The enrollment URL profiles send devices to: with the simulator, the placeholder
 * $PUBLIC_URL/mdm/enroll unless ENROLLMENT_URL is set; per token, DepToken.enrollmentUrl wins (tokens
 * may feed different MDM servers). What Apple (the simulator) receives as `url` is checked.
 * (Where Apple is real and neither is set, profiles are refused with ENROLLMENT_URL_REQUIRED: the
 * config and rule unit tests cover it, since no test talks to Apple itself.)
 */
import { simProfiles, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const CREATE = `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`;
const UPDATE_TOKEN = `mutation ($input: UpdateDepTokenInput!) { updateDepToken(input: $input) { token { id enrollmentUrl } } }`;

let t: TestApp;
let token: UploadedToken;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { PUBLIC_URL: 'http://depgate.test:4000' } });
  token = await uploadToken(t, 'enrollment-url');
});
afterAll(() => t.close());

const lastUrl = async () => (await simProfiles(t, token)).at(-1)?.profile.url;

it('sends the placeholder with the simulator, then the token’s own URL once set, and ENROLLMENT_URL again once cleared', async () => {
  expect(t.app.config).toMatchObject({ appleIsReal: false, enrollmentUrlIsPlaceholder: true });
  await t.ok(CREATE, { input: { tokenId: token.id, name: 'Placeholder' } });
  expect(await lastUrl()).toBe('http://depgate.test:4000/mdm/enroll');

  const set = await t.ok(UPDATE_TOKEN, { input: { tokenId: token.id, enrollmentUrl: ' https://mdm-a.example.com/enroll ' } });
  expect(set.updateDepToken.token.enrollmentUrl).toBe('https://mdm-a.example.com/enroll');
  await t.ok(CREATE, { input: { tokenId: token.id, name: 'Own URL' } });
  expect(await lastUrl()).toBe('https://mdm-a.example.com/enroll');

  const cleared = await t.ok(UPDATE_TOKEN, { input: { tokenId: token.id, enrollmentUrl: '' } });
  expect(cleared.updateDepToken.token.enrollmentUrl).toBeNull();
  await t.ok(CREATE, { input: { tokenId: token.id, name: 'Cleared' } });
  expect(await lastUrl()).toBe('http://depgate.test:4000/mdm/enroll');
});

it('redefines a saved profile at Apple with the token’s new URL, once the profile is saved again', async () => {
  const own = await uploadToken(t, 'enrollment-url-resave');
  const profiles = async () => (await simProfiles(t, own)).map((p) => p.profile.url);
  const { id } = (await t.ok(CREATE, { input: { tokenId: own.id, name: 'Saved before the move' } })).createEnrollmentProfile.profile;
  expect(await profiles()).toEqual(['http://depgate.test:4000/mdm/enroll']);

  await t.ok(UPDATE_TOKEN, { input: { tokenId: own.id, enrollmentUrl: 'https://mdm-b.example.com/enroll' } });
  // Saving again, even with only the description changed, sends Apple the URL devices must now use.
  const UPDATE = `mutation ($input: UpdateEnrollmentProfileInput!) { updateEnrollmentProfile(input: $input) { profile { appleProfileUuid } } }`;
  await t.ok(UPDATE, { input: { profileId: id, description: 'moved to MDM B' } });
  expect(await profiles()).toEqual(['http://depgate.test:4000/mdm/enroll', 'https://mdm-b.example.com/enroll']);
  // Saved again with nothing new for Apple: no new definition.
  await t.ok(UPDATE, { input: { profileId: id, description: 'still MDM B' } });
  expect(await profiles()).toHaveLength(2);
});

it.each([
  ['a relative URL', '/enroll', 'ENROLLMENT_URL_INVALID'],
  ['another scheme', 'ftp://mdm.example.com/enroll', 'ENROLLMENT_URL_INVALID'],
  ['credentials in the URL', 'https://user:pw@mdm.example.com/enroll', 'ENROLLMENT_URL_INVALID'],
  ['2001 characters', `https://mdm.example.com/${'e'.repeat(2001 - 24)}`, 'ENROLLMENT_URL_TOO_LONG'],
])('refuses %s on updateDepToken and keeps the token as it was', async (_what, enrollmentUrl, code) => {
  await t.ok(UPDATE_TOKEN, { input: { tokenId: token.id, enrollmentUrl: 'https://kept.example.com/enroll' } });
  const res = await t.gql(UPDATE_TOKEN, { input: { tokenId: token.id, enrollmentUrl } });
  expect(res.errors?.[0].extensions).toMatchObject({ code, field: 'enrollmentUrl' });
  const [row] = await t.app.dataSource.query(`SELECT enrollment_url FROM dep_tokens WHERE id = $1`, [token.rowId]);
  expect(row.enrollment_url).toBe('https://kept.example.com/enroll');
});
