/**
 * VPP (Apps and Books) tokens through GraphQL over HTTP, against the simulator's Apps and Books
 * API: upload (checked with Apple, sealed at rest), every refusal, renewal, licence refresh on
 * demand and on the schedule's code path, deletion refused while a profile uses the token, the
 * Company Portal state the profile service reads, roles, and scope tags.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../../src/clock';
import { AccessScope } from '../../../src/auth/access-scope';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { vppTokenContext } from '../../../src/vpp/vpp-client.factory';
import { SecretBox } from '../../../src/crypto/secret-box';
import { startTestApp, type TestApp } from '../../support/test-app';
import { issueLocation, REFRESH_VPP, RENEW_VPP, setLicences, UPLOAD_VPP, uploadDep, uploadVpp, VPP_FIELDS } from '../../support/vpp-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const rowId = (globalId: string) => parseGlobalId(globalId)!.id;

async function count(table: string): Promise<number> {
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}

describe('upload', () => {
  it("stores the location's details, expiry and Company Portal licences, with the token sealed", async () => {
    const location = await issueLocation(t, { expiresInDays: 200, total: 50, assigned: 20, locationName: 'Head office' });
    const res = await t.gql(UPLOAD_VPP, { input: { tokenFile: location.tokenFile, appleId: 'vpp-admin@example.com' } });
    expect(res.errors).toBeUndefined();
    const token = res.data.uploadVppToken.vppToken;
    expect(token).toMatchObject({
      name: 'Head office',
      locationName: 'Head office',
      orgName: 'Example Corp',
      appleId: 'vpp-admin@example.com',
      countryCode: 'US',
      status: 'VALID',
      usedByProfileCount: 0,
      companyPortalLicenses: { total: 50, assigned: 20, available: 30, low: false },
    });
    expect(new Date(token.expiresAt).getTime()).toBe(new Date(location.expiresAt).setMilliseconds(0));
    expect(JSON.stringify(res)).not.toContain(location.tokenFile);

    const [row] = await t.app.dataSource.query(`SELECT * FROM vpp_tokens WHERE id = $1`, [rowId(token.id)]);
    expect(row.token_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain(location.tokenFile);
    expect(new SecretBox(t.secretKey).open(row.token_sealed, vppTokenContext(row.id))).toBe(location.tokenFile);
    expect(t.logs.join('\n')).not.toContain(location.tokenFile);

    const list = await t.ok(`{ vppTokens(first: 100) { totalCount edges { node { id } } } }`);
    expect(list.vppTokens.edges.map((e: any) => e.node.id)).toContain(token.id);
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { ... on VppToken { name } } }`, { id: token.id });
    expect(node.node.name).toBe('Head office');
  });

  it('accepts base64 of the file bytes and a file with line breaks, and names the token as asked', async () => {
    const a = await issueLocation(t);
    const res = await t.gql(UPLOAD_VPP, { input: { tokenFile: Buffer.from(a.tokenFile).toString('base64'), name: 'Bytes' } });
    expect(res.data?.uploadVppToken.vppToken.name).toBe('Bytes');
    const b = await issueLocation(t);
    const wrapped = b.tokenFile.replace(/(.{60})/g, '$1\r\n');
    expect((await t.gql(UPLOAD_VPP, { input: { tokenFile: `${wrapped}\n` } })).errors).toBeUndefined();
  });

  it('reports a location without Company Portal licences as none available (and low)', async () => {
    const { vppToken } = await uploadVpp(t, { total: null });
    expect(vppToken.companyPortalLicenses).toMatchObject({ total: 0, available: 0, low: true });
  });

  describe('refusals store nothing', () => {
    let before: number;
    beforeEach(async () => {
      before = await count('vpp_tokens');
    });
    afterEach(async () => {
      expect(await count('vpp_tokens')).toBe(before);
    });
    const code = async (tokenFile: string) => (await t.gql(UPLOAD_VPP, { input: { tokenFile } })).errors?.[0].extensions?.code;

    it('VPP_TOKEN_FILE_UNREADABLE for text that is not a location token', async () => {
      expect(await code('not a token')).toBe('VPP_TOKEN_FILE_UNREADABLE');
      expect(await code(Buffer.from('{"orgName":"x"}').toString('base64'))).toBe('VPP_TOKEN_FILE_UNREADABLE');
      expect(await code('')).toBe('VPP_TOKEN_FILE_UNREADABLE');
    });

    it('VPP_TOKEN_FILE_TOO_LARGE above 64 KB', async () => {
      expect(await code('A'.repeat(70 * 1024))).toBe('VPP_TOKEN_FILE_TOO_LARGE');
    });

    it('VPP_TOKEN_EXPIRED for a token past its expiry (the file says so; Apple too)', async () => {
      const location = await issueLocation(t, { expiresInDays: 10 });
      t.clock.advance(11 * DAY_MS);
      try {
        expect(await code(location.tokenFile)).toBe('VPP_TOKEN_EXPIRED');
      } finally {
        t.clock.advance(-11 * DAY_MS);
      }
      // Apple moved the expiry into the past although the file still looks valid.
      const moved = await issueLocation(t);
      await t.simControl('POST', `/_sim/vpp/locations/${moved.uId}/expiry`, { expiresAt: new Date(t.clock.now().getTime() - DAY_MS).toISOString() });
      expect(await code(moved.tokenFile)).toBe('VPP_TOKEN_EXPIRED');
    });

    it('VPP_TOKEN_REJECTED_BY_APPLE for an unknown or revoked token', async () => {
      const forged = Buffer.from(JSON.stringify({ token: 'forged', expDate: '2030-01-01T00:00:00+0000', orgName: 'X' })).toString('base64');
      expect(await code(forged)).toBe('VPP_TOKEN_REJECTED_BY_APPLE');
      const location = await issueLocation(t);
      await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/renew`, {});
      expect(await code(location.tokenFile)).toBe('VPP_TOKEN_REJECTED_BY_APPLE');
    });

    it('APPLE_UNAVAILABLE when Apple keeps failing', async () => {
      const location = await issueLocation(t);
      await t.simControl('POST', '/_sim/vpp/faults', { status: 503, count: 3 });
      expect(await code(location.tokenFile)).toBe('APPLE_UNAVAILABLE');
    });

    it('VPP_TOKEN_ALREADY_REGISTERED for a second token of the same location', async () => {
      const { location, vppToken } = await uploadVpp(t);
      before += 0;
      const renewed = await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/renew`, {});
      const res = await t.gql(UPLOAD_VPP, { input: { tokenFile: renewed.tokenFile } });
      // The token to renew instead, as a global id (depToken/node load it), not the row id.
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'VPP_TOKEN_ALREADY_REGISTERED', vppTokenId: vppToken.id });
      before = await count('vpp_tokens');
    });
  });
});

describe('renewal', () => {
  it('takes the new token of the same location, with its new expiry, and clears INVALID', async () => {
    const { location, vppToken } = await uploadVpp(t, { expiresInDays: 20 });
    expect(vppToken.status).toBe('EXPIRING_SOON');
    await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/revoke`, {});
    const refreshed = (await t.ok(REFRESH_VPP, { id: vppToken.id })).refreshVppTokenLicenses.vppToken;
    expect(refreshed.status).toBe('INVALID');
    expect(refreshed.lastRefreshError).toMatch(/TOKEN_REVOKED/);

    const renewed = await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/renew`, {
      expiresAt: new Date(t.clock.now().getTime() + 365 * DAY_MS).toISOString(),
    });
    const res = await t.ok(RENEW_VPP, { input: { vppTokenId: vppToken.id, tokenFile: renewed.tokenFile } });
    expect(res.renewVppToken.vppToken).toMatchObject({ status: 'VALID', lastRefreshError: null });
    expect(res.renewVppToken.vppToken.renewedAt).not.toBeNull();
    const [row] = await t.app.dataSource.query(`SELECT token_sealed FROM vpp_tokens WHERE id = $1`, [rowId(vppToken.id)]);
    expect(new SecretBox(t.secretKey).open(row.token_sealed, vppTokenContext(rowId(vppToken.id)))).toBe(renewed.tokenFile);
  });

  it('VPP_TOKEN_LOCATION_MISMATCH for a token of another location, and changes nothing', async () => {
    const { vppToken } = await uploadVpp(t);
    const other = await issueLocation(t);
    const res = await t.gql(RENEW_VPP, { input: { vppTokenId: vppToken.id, tokenFile: other.tokenFile } });
    expect(res.errors?.[0].extensions?.code).toBe('VPP_TOKEN_LOCATION_MISMATCH');
    const after = await t.ok(`query ($id: ID!) { vppToken(id: $id) { ${VPP_FIELDS} } }`, { id: vppToken.id });
    expect(after.vppToken.expiresAt).toBe(vppToken.expiresAt);
  });
});

describe('licences', () => {
  it('follow the simulator: refreshed on demand and by the scheduled pass', async () => {
    const { location, vppToken } = await uploadVpp(t, { total: 40, assigned: 0 });
    await setLicences(t, location.uId, 40, 35);
    const now = (await t.ok(REFRESH_VPP, { id: vppToken.id })).refreshVppTokenLicenses.vppToken;
    expect(now.companyPortalLicenses).toMatchObject({ total: 40, assigned: 35, available: 5, low: true });

    await setLicences(t, location.uId, 400, 35);
    const summary = await t.app.services.vppTokens.refreshAll();
    expect(summary.refreshed).toBeGreaterThan(0); // (tokens revoked by earlier tests fail, and say so)
    const after = await t.ok(`query ($id: ID!) { vppToken(id: $id) { companyPortalLicenses { total available low } } }`, { id: vppToken.id });
    expect(after.vppToken.companyPortalLicenses).toEqual({ total: 400, available: 365, low: false });
  });

  it('keep the last counts when Apple is unavailable, and say why', async () => {
    const { vppToken } = await uploadVpp(t, { total: 10, assigned: 1 });
    await t.simControl('POST', '/_sim/vpp/faults', { status: 503, count: 3 });
    const token = (await t.ok(REFRESH_VPP, { id: vppToken.id })).refreshVppTokenLicenses.vppToken;
    expect(token.companyPortalLicenses).toMatchObject({ total: 10, available: 9 });
    expect(token.status).toBe('VALID');
    expect(token.lastRefreshError).toMatch(/UNAVAILABLE/);
  });
});

describe('deletion and profiles', () => {
  async function profileUsing(vppTokenId: string): Promise<string> {
    const dep = await uploadDep(t);
    const id = randomUUID();
    await t.app.dataSource.query(
      `INSERT INTO enrollment_profiles (id, token_id, name, user_affinity, authentication_method, install_company_portal, company_portal_vpp_token_id, created_at, updated_at)
       VALUES ($1, $2, 'With Company Portal', 'WITH_USER', 'COMPANY_PORTAL', true, $3, now(), now())`,
      [id, rowId(dep.token.id), vppTokenId],
    );
    return id;
  }

  it('is refused with VPP_TOKEN_IN_USE while a profile uses the token, and allowed after', async () => {
    const { vppToken } = await uploadVpp(t);
    const profileId = await profileUsing(rowId(vppToken.id));
    const used = await t.ok(`query ($id: ID!) { vppToken(id: $id) { usedByProfileCount } }`, { id: vppToken.id });
    expect(used.vppToken.usedByProfileCount).toBe(1);
    const refused = await t.gql(`mutation ($id: ID!) { deleteVppToken(input: {vppTokenId: $id}) { deletedVppTokenId } }`, { id: vppToken.id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'VPP_TOKEN_IN_USE', profileCount: 1 });

    await t.app.dataSource.query(`UPDATE enrollment_profiles SET company_portal_vpp_token_id = NULL WHERE id = $1`, [profileId]);
    const deleted = await t.ok(`mutation ($id: ID!) { deleteVppToken(input: {vppTokenId: $id}) { deletedVppTokenId } }`, { id: vppToken.id });
    expect(deleted.deleteVppToken.deletedVppTokenId).toBe(vppToken.id);
    expect((await t.ok(`query ($id: ID!) { vppToken(id: $id) { id } }`, { id: vppToken.id })).vppToken).toBeNull();
  });

  it('a profile cannot point at a VPP token that does not exist (foreign key)', async () => {
    await expect(profileUsing(randomUUID())).rejects.toThrow(/foreign key/);
  });

  it('getCompanyPortalState tells the profile service about expiry, refusal and licences', async () => {
    const vpp = t.app.services.vppTokens;
    expect(await vpp.getCompanyPortalState(randomUUID())).toMatchObject({ exists: false });

    const fine = await uploadVpp(t, { total: 100, assigned: 10 });
    expect(await vpp.getCompanyPortalState(rowId(fine.vppToken.id))).toEqual({
      exists: true,
      expired: false,
      invalid: false,
      status: 'VALID',
      licensesAvailable: 90,
      low: false,
      exhausted: false,
    });

    const low = await uploadVpp(t, { total: 100, assigned: 95 });
    expect(await vpp.getCompanyPortalState(rowId(low.vppToken.id))).toMatchObject({ expired: false, licensesAvailable: 5, low: true, exhausted: false });

    const soon = await uploadVpp(t, { expiresInDays: 3, total: 100, assigned: 100 });
    t.clock.advance(4 * DAY_MS);
    try {
      expect(await vpp.getCompanyPortalState(rowId(soon.vppToken.id))).toMatchObject({ expired: true, status: 'EXPIRED', low: true, exhausted: true });
    } finally {
      t.clock.advance(-4 * DAY_MS);
    }

    const lookup = await vpp.companyPortalLookup([rowId(fine.vppToken.id), randomUUID()], null);
    expect([...lookup.keys()]).toEqual([rowId(fine.vppToken.id)]);
    expect(lookup.get(rowId(fine.vppToken.id))).toMatchObject({ expired: false, licensesAvailable: 90, low: false });

    const revoked = await uploadVpp(t);
    await t.simControl('POST', `/_sim/vpp/locations/${revoked.location.uId}/revoke`, {});
    await vpp.refresh(rowId(revoked.vppToken.id));
    expect(await vpp.getCompanyPortalState(rowId(revoked.vppToken.id))).toMatchObject({ expired: true, invalid: true, status: 'INVALID' });
  });
});

describe('access', () => {
  it('needs ADMIN to upload, renew, update and delete; OPERATOR to refresh; READER to read', async () => {
    const reader = await t.createKey('READER');
    const operator = await t.createKey('OPERATOR');
    const { vppToken } = await uploadVpp(t);
    const location = await issueLocation(t);
    const codes = async (query: string, variables: Record<string, unknown>, key: string) =>
      ((await t.gql(query, variables, key)).errors ?? []).map((e) => e.extensions?.code);
    expect(await codes(UPLOAD_VPP, { input: { tokenFile: location.tokenFile } }, operator)).toEqual(['FORBIDDEN']);
    expect(await codes(RENEW_VPP, { input: { vppTokenId: vppToken.id, tokenFile: location.tokenFile } }, operator)).toEqual(['FORBIDDEN']);
    expect(await codes(`mutation ($id: ID!) { updateVppToken(input: {vppTokenId: $id, name: "x"}) { vppToken { id } } }`, { id: vppToken.id }, operator)).toEqual([
      'FORBIDDEN',
    ]);
    expect(await codes(`mutation ($id: ID!) { deleteVppToken(input: {vppTokenId: $id}) { deletedVppTokenId } }`, { id: vppToken.id }, operator)).toEqual([
      'FORBIDDEN',
    ]);
    expect(await codes(REFRESH_VPP, { id: vppToken.id }, reader)).toEqual(['FORBIDDEN']);
    expect(await codes(REFRESH_VPP, { id: vppToken.id }, operator)).toEqual([]);
    expect(await codes(`{ vppTokens { edges { node { id } } } }`, {}, reader)).toEqual([]);
  });

  it('scope tags: a scoped key sees and manages only VPP tokens sharing one of its tags', async () => {
    const tag = async (name: string) =>
      (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: `${name}-${randomUUID().slice(0, 4)}` }))
        .createScopeTag.scopeTag.id;
    const [a, b] = [await tag('A'), await tag('B')];
    const adminA = await t.createKey('ADMIN', [a]);
    const readerB = await t.createKey('READER', [b]);

    const mine = await uploadVpp(t, { key: adminA }); // takes the key's tags by default
    expect(mine.vppToken.scopeTags).toHaveLength(1);
    const theirs = await uploadVpp(t, { scopeTagIds: [b] });
    const untagged = await uploadVpp(t);

    const ids = async (key: string) => (await t.ok(`{ vppTokens(first: 500) { edges { node { id } } } }`, undefined, key)).vppTokens.edges.map((e: any) => e.node.id);
    expect(await ids(adminA)).toEqual([mine.vppToken.id]);
    expect(await ids(readerB)).toEqual([theirs.vppToken.id]);
    expect(await ids(t.adminKey)).toEqual(expect.arrayContaining([mine.vppToken.id, theirs.vppToken.id, untagged.vppToken.id]));

    const hidden = await t.ok(`query ($id: ID!) { node(id: $id) { id } vppToken(id: $id) { id } }`, { id: theirs.vppToken.id }, adminA);
    expect(hidden).toEqual({ node: null, vppToken: null });
    const del = await t.gql(`mutation ($id: ID!) { deleteVppToken(input: {vppTokenId: $id}) { deletedVppTokenId } }`, { id: theirs.vppToken.id }, adminA);
    expect(del.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const grab = await t.gql(
      `mutation ($id: ID!, $t: [ID!]!) { updateVppToken(input: {vppTokenId: $id, scopeTagIds: $t}) { vppToken { id } } }`,
      { id: mine.vppToken.id, t: [b] },
      adminA,
    );
    expect(grab.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.app.services.vppTokens.getCompanyPortalState(rowId(theirs.vppToken.id), await scopeOf(adminA))).toMatchObject({
      exists: false,
    });

    // A scope tag still on a VPP token cannot be deleted.
    const delTag = await t.gql(`mutation ($id: ID!) { deleteScopeTag(input: {scopeTagId: $id}) { deletedScopeTagId } }`, { id: b });
    expect(delTag.errors?.[0].extensions?.code).toBe('SCOPE_TAG_IN_USE');
  });
});

async function scopeOf(key: string) {
  const principal = await t.app.services.apiKeys.authenticate(key);
  return new AccessScope(principal!);
}
