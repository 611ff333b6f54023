/**
 * Access control as a matrix: every root operation against every role, and scope-tag visibility
 * across lists, node/nodes, single lookups, nested fields, mutations and the WebSocket transport.
 */
import { DAY_MS } from '../../src/clock';
import { startTestApp, wsRequest, type TestApp } from '../support/test-app';

let t: TestApp;
const keys: Record<string, string> = {};
const tags: Record<string, string> = {};
const tokens: Record<string, string> = {};

async function uploadToken(name: string, scopeTagIds: string[]): Promise<string> {
  const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
    .createDepTokenKeyPair.keyPair;
  const server = await t.simControl('POST', '/_sim/servers', {
    certificatePem: keyPair.certificatePem,
    serverName: name,
    accessTokenExpiry: new Date(t.clock.now().getTime() + 300 * DAY_MS).toISOString(),
  });
  const res = await t.ok(
    `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`,
    { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name, scopeTagIds } },
  );
  return res.uploadDepToken.token.id;
}

beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  for (const name of ['A', 'B']) {
    tags[name] = (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name })).createScopeTag
      .scopeTag.id;
  }
  tokens.A = await uploadToken('token-A', [tags.A]);
  tokens.B = await uploadToken('token-B', [tags.B]);
  tokens.U = await uploadToken('token-untagged', []);
  keys.READER = await t.createKey('READER');
  keys.OPERATOR = await t.createKey('OPERATOR');
  keys.ADMIN = await t.createKey('ADMIN');
  keys.READER_A = await t.createKey('READER', [tags.A]);
  keys.ADMIN_A = await t.createKey('ADMIN', [tags.A]);
  keys.ADMIN_AB = await t.createKey('ADMIN', [tags.A, tags.B]);
});
afterAll(() => t.close());

describe('roles: each root operation refuses roles below the one it declares', () => {
  const NIL = 'RGVwVG9rZW46MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw'; // DepToken:0000...
  const operations: [string, 'READER' | 'OPERATOR' | 'ADMIN', string][] = [
    ['viewer', 'READER', `{ viewer { role } }`],
    ['scopeTags', 'READER', `{ scopeTags { id } }`],
    ['depTokens', 'READER', `{ depTokens { edges { node { id } } } }`],
    ['depToken', 'READER', `{ depToken(id: "${NIL}") { id } }`],
    ['node', 'READER', `{ node(id: "${NIL}") { id } }`],
    ['apiKeys', 'ADMIN', `{ apiKeys(first: 1) { edges { node { id } } } }`],
    ['createApiKey', 'ADMIN', `mutation { createApiKey(input: {name: "x", role: READER}) { secret } }`],
    ['revokeApiKey', 'ADMIN', `mutation { revokeApiKey(input: {apiKeyId: "${NIL}"}) { apiKey { id } } }`],
    ['createScopeTag', 'ADMIN', `mutation { createScopeTag(input: {name: "matrix-${Date.now()}"}) { scopeTag { id } } }`],
    ['deleteScopeTag', 'ADMIN', `mutation { deleteScopeTag(input: {scopeTagId: "${NIL}"}) { deletedScopeTagId } }`],
    ['createDepTokenKeyPair', 'ADMIN', `mutation { createDepTokenKeyPair(input: {dataSharingConsent: false}) { keyPair { id } } }`],
    ['uploadDepToken', 'ADMIN', `mutation { uploadDepToken(input: {keyPairId: "${NIL}", tokenFile: "x", appleId: "a@b.co"}) { token { id } } }`],
    ['renewDepToken', 'ADMIN', `mutation { renewDepToken(input: {tokenId: "${NIL}", tokenFile: "x", appleId: "a@b.co"}) { token { id } } }`],
    ['updateDepToken', 'ADMIN', `mutation { updateDepToken(input: {tokenId: "${NIL}", name: "x"}) { token { id } } }`],
    ['deleteDepToken', 'ADMIN', `mutation { deleteDepToken(input: {tokenId: "${NIL}"}) { deletedDepTokenId } }`],
    ['devices', 'READER', `{ devices { totalCount } }`],
    ['appleConfiguratorCertificates', 'READER', `{ appleConfiguratorCertificates { totalCount } }`],
    ['createEnrollmentProfile', 'OPERATOR', `mutation { createEnrollmentProfile(input: {tokenId: "${NIL}", name: "x"}) { profile { id } } }`],
    ['updateEnrollmentProfile', 'OPERATOR', `mutation { updateEnrollmentProfile(input: {profileId: "${NIL}"}) { profile { id } } }`],
    ['deleteEnrollmentProfile', 'OPERATOR', `mutation { deleteEnrollmentProfile(input: {profileId: "${NIL}"}) { deletedEnrollmentProfileId } }`],
    ['setDefaultEnrollmentProfile', 'OPERATOR', `mutation { setDefaultEnrollmentProfile(input: {tokenId: "${NIL}"}) { token { id } } }`],
    ['assignEnrollmentProfile', 'OPERATOR', `mutation { assignEnrollmentProfile(input: {profileId: "${NIL}", serialNumbers: ["C02XK1ABJG5H"]}) { results { status } } }`],
    ['importDeviceSerials', 'OPERATOR', `mutation { importDeviceSerials(input: {tokenId: "${NIL}", csv: "C02XK1ABJG5H"}) { rejected { reason } } }`],
    ['deleteDevice', 'OPERATOR', `mutation { deleteDevice(input: {deviceId: "${NIL}"}) { deletedDeviceId } }`],
    ['addAppleConfiguratorCertificate', 'ADMIN', `mutation { addAppleConfiguratorCertificate(input: {pem: "x"}) { certificate { id } } }`],
    ['deleteAppleConfiguratorCertificate', 'ADMIN', `mutation { deleteAppleConfiguratorCertificate(input: {certificateId: "${NIL}"}) { deletedAppleConfiguratorCertificateId } }`],
  ];
  const rank = { READER: 1, OPERATOR: 2, ADMIN: 3 };
  const cases = operations.flatMap(([name, required, query]) =>
    (['READER', 'OPERATOR', 'ADMIN'] as const).map((role) => [name, role, required, query, rank[role] >= rank[required]] as const),
  );

  it.each(cases)('%s as %s (needs %s)', async (_name, role, _required, query, allowed) => {
    const res = await t.gql(query, undefined, keys[role]);
    const codes = (res.errors ?? []).map((e) => e.extensions?.code);
    if (allowed) expect(codes).not.toContain('FORBIDDEN');
    else expect(codes).toEqual(['FORBIDDEN']);
  });

  it('a revoked key is UNAUTHENTICATED', async () => {
    const secret = await t.createKey('READER');
    const id = (await t.ok(`{ viewer { apiKey { id } } }`, undefined, secret)).viewer.apiKey.id;
    await t.ok(`mutation ($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { revokedAt } } }`, { id });
    expect((await t.gql(`{ viewer { role } }`, undefined, secret)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('scope tags: a key sees and touches only tokens sharing one of its tags', () => {
  const listNames = async (key: string) =>
    (await t.ok(`{ depTokens(first: 50) { totalCount edges { node { name } } } }`, undefined, key)).depTokens;

  it.each([
    ['unrestricted', 'ADMIN', ['token-A', 'token-B', 'token-untagged']],
    ['tag A', 'ADMIN_A', ['token-A']],
    ['tag A (reader)', 'READER_A', ['token-A']],
    ['tags A and B', 'ADMIN_AB', ['token-A', 'token-B']],
  ])('lists: %s', async (_label, key, expected) => {
    const list = await listNames(keys[key]);
    // All were created at the same (manual) instant: order falls back to the id tie-break.
    expect(list.edges.map((e: any) => e.node.name).sort()).toEqual(expected);
    expect(list.totalCount).toBe(expected.length);
  });

  it('node / nodes / depToken return null for tokens outside the scope', async () => {
    const key = keys.READER_A;
    const nodes = await t.ok(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [tokens.A, tokens.B, tokens.U] }, key);
    expect(nodes.nodes).toEqual([{ id: tokens.A }, null, null]);
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: tokens.B }, key)).node).toBeNull();
    expect((await t.ok(`query ($id: ID!) { depToken(id: $id) { id } }`, { id: tokens.U }, key)).depToken).toBeNull();
  });

  it('nested fields of a visible token resolve (scope tags inherited by the token)', async () => {
    const res = await t.ok(`query ($id: ID!) { depToken(id: $id) { scopeTags { name } } }`, { id: tokens.A }, keys.READER_A);
    expect(res.depToken.scopeTags).toEqual([{ name: 'A' }]);
  });

  it.each([
    ['updateDepToken', `mutation ($id: ID!) { updateDepToken(input: {tokenId: $id, name: "stolen"}) { token { id } } }`],
    ['deleteDepToken', `mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`],
    ['renewDepToken', `mutation ($id: ID!) { renewDepToken(input: {tokenId: $id, tokenFile: "x", appleId: "admin@example.com"}) { token { id } } }`],
  ])('%s on a token outside the scope is NOT_FOUND and changes nothing', async (_name, mutation) => {
    const res = await t.gql(mutation, { id: tokens.B }, keys.ADMIN_A);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const names = (await listNames(keys.ADMIN)).edges.map((e: any) => e.node.name).sort();
    expect(names).toEqual(expect.arrayContaining(['token-A', 'token-B', 'token-untagged']));
    expect(names).not.toContain('stolen');
  });

  it('a scoped key cannot grant, take or manage tags it does not hold', async () => {
    const key = keys.ADMIN_A;
    const grantB = await t.gql(`mutation ($t: [ID!]!) { createApiKey(input: {name: "x", role: READER, scopeTagIds: $t}) { secret } }`, { t: [tags.B] }, key);
    expect(grantB.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unrestricted = await t.gql(`mutation { createApiKey(input: {name: "x", role: READER}) { secret } }`, undefined, key);
    expect(unrestricted.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const moveToB = await t.gql(`mutation ($id: ID!, $t: [ID!]!) { updateDepToken(input: {tokenId: $id, scopeTagIds: $t}) { token { id } } }`, { id: tokens.A, t: [tags.B] }, key);
    expect(moveToB.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const newTag = await t.gql(`mutation { createScopeTag(input: {name: "mine"}) { scopeTag { id } } }`, undefined, key);
    expect(newTag.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const sub = await t.gql(`mutation ($t: [ID!]!) { createApiKey(input: {name: "sub", role: READER, scopeTagIds: $t}) { apiKey { scopeTags { name } } } }`, { t: [tags.A] }, key);
    expect(sub.data.createApiKey.apiKey.scopeTags).toEqual([{ name: 'A' }]);
  });

  it('scopeTags lists only the key’s own tags', async () => {
    expect((await t.ok(`{ scopeTags { name } }`, undefined, keys.READER_A)).scopeTags).toEqual([{ name: 'A' }]);
    expect((await t.ok(`{ scopeTags { name } }`, undefined, keys.ADMIN)).scopeTags.map((s: any) => s.name)).toEqual(
      expect.arrayContaining(['A', 'B']),
    );
  });

  it('a token uploaded by a scoped key without tags takes the key’s tags, so it stays visible to it', async () => {
    const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`, undefined, keys.ADMIN_A))
      .createDepTokenKeyPair.keyPair;
    const server = await t.simControl('POST', '/_sim/servers', { certificatePem: keyPair.certificatePem, serverName: 'scoped-upload' });
    const res = await t.ok(
      `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { scopeTags { name } } } }`,
      { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com' } },
      keys.ADMIN_A,
    );
    expect(res.uploadDepToken.token.scopeTags).toEqual([{ name: 'A' }]);
  });

  it('a scoped key changes only its own tags on a shared token, and sees only those', async () => {
    const shared = await uploadToken('token-shared', [tags.A, tags.B]);
    const tagNames = async (key: string) =>
      (await t.ok(`query ($id: ID!) { depToken(id: $id) { scopeTags { name } } }`, { id: shared }, key)).depToken.scopeTags.map((s: any) => s.name);
    expect(await tagNames(keys.ADMIN_A)).toEqual(['A']); // B is another scope's business
    for (const scopeTagIds of [[tags.A], []]) {
      await t.ok(`mutation ($id: ID!, $t: [ID!]!) { updateDepToken(input: {tokenId: $id, scopeTagIds: $t}) { token { id } } }`, { id: shared, t: scopeTagIds }, keys.ADMIN_A);
      expect(await tagNames(keys.ADMIN)).toEqual(['A', 'B']); // B's keys keep the token
    }
    expect((await t.ok(`query ($id: ID!) { depToken(id: $id) { id } }`, { id: shared }, keys.ADMIN_AB)).depToken).not.toBeNull();
  });

  it('the WebSocket transport applies the same visibility', async () => {
    const result = await wsRequest(t.ws(keys.READER_A), `{ depTokens { edges { node { name } } } }`);
    expect(result.data.depTokens.edges.map((e: any) => e.node.name)).toEqual(expect.arrayContaining(['token-A']));
    expect(result.data.depTokens.edges.map((e: any) => e.node.name)).not.toContain('token-B');
  });
});
