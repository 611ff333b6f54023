/**
 * A profile's warnings must not reveal the state of a VPP token the caller may not see: the
 * companyPortalVppToken field is null for such a key, and so is any VPP_TOKEN_FALLBACK warning.
 */
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadDep, uploadVpp } from '../../support/vpp-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

it('shows the VPP fallback warning only to keys that may see the VPP token', async () => {
  const tag = async (name: string) =>
    (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name })).createScopeTag.scopeTag.id;
  const [a, b] = [await tag('Devices'), await tag('Apps')];
  const dep = await uploadDep(t, { scopeTagIds: [a] });
  const { vppToken } = await uploadVpp(t, { total: 100, assigned: 99, scopeTagIds: [b] }); // 1 licence left: low
  const created = await t.ok(
    `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id warnings { code } } } }`,
    {
      input: {
        tokenId: dep.token.id,
        name: 'Company Portal',
        userAffinity: 'WITH_USER',
        authenticationMethod: 'COMPANY_PORTAL',
        companyPortalVppTokenId: vppToken.id,
      },
    },
  );
  const profileId = created.createEnrollmentProfile.profile.id;
  const read = async (key?: string) =>
    (await t.ok(`query ($id: ID!) { node(id: $id) { ... on EnrollmentProfile { companyPortalVppToken { id } warnings { code } } } }`, { id: profileId }, key))
      .node;

  const admin = await read();
  expect(admin.companyPortalVppToken).toEqual({ id: vppToken.id });
  expect(admin.warnings.map((w: any) => w.code)).toContain('VPP_TOKEN_FALLBACK');

  const devicesOnly = await read(await t.createKey('READER', [a]));
  expect(devicesOnly.companyPortalVppToken).toBeNull();
  expect(devicesOnly.warnings.map((w: any) => w.code)).not.toContain('VPP_TOKEN_FALLBACK');
});
