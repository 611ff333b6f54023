/**
 * The deployment's ENROLLMENT_URL goes to Apple as every profile's `url`: one longer than Apple's
 * 2000 characters refuses profile saves with ENROLLMENT_URL_TOO_LONG (an operator's fix, not the
 * admin's), before Apple is asked. (ENROLLMENT_URL_INVALID cannot be configured: the service does
 * not start with a URL that is not absolute http(s); the rule's unit tests cover it.)
 */
import { uploadToken, simProfiles } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { ENROLLMENT_URL: `https://mdm.example.com/${'e'.repeat(2000)}` } });
});
afterAll(() => t.close());

it('refuses to save a profile with ENROLLMENT_URL_TOO_LONG and asks nothing of Apple', async () => {
  const token = await uploadToken(t, 'long-url');
  const res = await t.gql(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
    input: { tokenId: token.id, name: 'Any' },
  });
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'ENROLLMENT_URL_TOO_LONG', field: 'enrollmentUrl' });
  expect(await simProfiles(t, token)).toEqual([]);
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM enrollment_profiles`);
  expect(n).toBe(0);
});
