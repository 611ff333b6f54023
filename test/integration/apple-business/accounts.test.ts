/**
 * connectAppleBusinessAccount and friends against the simulator over HTTP: the key is proved at
 * Apple before anything is stored, secrets never come back, refusals are typed and store nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { startTestApp, type TestApp } from '../../support/test-app';

const ACCOUNT_FIELDS = 'id name clientId keyId scope status refusedAt assertionExpiresAt scopeTags { name }';
const CONNECT = `mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { ${ACCOUNT_FIELDS} } } }`;

interface Issued {
  clientId: string;
  keyId: string;
  privateKeyPkcs8Pem: string;
  privateKeySec1Pem: string;
}

describe('Apple Business API accounts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ simulator: true });
  });
  afterAll(() => t.close());

  const issue = (scope: 'business' | 'school' = 'business') => t.simControl<Issued>('POST', '/_sim/business/clients', { scope });
  const input = (issued: Issued, extra: Record<string, unknown> = {}) => ({
    name: 'Acme ABM',
    clientId: issued.clientId,
    keyId: issued.keyId,
    privateKeyPem: issued.privateKeySec1Pem,
    scope: 'BUSINESS',
    ...extra,
  });
  const storedRows = async () => (await t.app.dataSource.query('SELECT client_id, private_key_sealed, assertion_sealed FROM apple_business_accounts')) as Array<{ client_id: string; private_key_sealed: string; assertion_sealed: string }>;

  it('connects with the SEC1 key the portal downloads, stores it sealed, and never returns it', async () => {
    const issued = await issue();
    const data = await t.ok(CONNECT, { input: input(issued) });
    const account = data.connectAppleBusinessAccount.appleBusinessAccount;
    expect(account).toMatchObject({ name: 'Acme ABM', clientId: issued.clientId, keyId: issued.keyId, scope: 'BUSINESS', status: 'ACTIVE', refusedAt: null });
    expect(new Date(account.assertionExpiresAt).getTime() - t.clock.now().getTime()).toBeLessThanOrEqual(180 * 86_400_000);
    expect(JSON.stringify(data)).not.toContain('PRIVATE KEY');
    const row = (await storedRows()).find((r) => r.client_id === issued.clientId)!;
    expect(row.private_key_sealed).not.toContain('PRIVATE KEY');
    expect(row.assertion_sealed).not.toMatch(/^eyJ/);
    expect(t.logs.join('\n')).not.toContain(issued.privateKeySec1Pem.split('\n')[1]);

    const listed = await t.ok(`{ appleBusinessAccounts { totalCount edges { node { id name } } } }`);
    expect(listed.appleBusinessAccounts.edges.map((e: any) => e.node.id)).toContain(account.id);
    const again = await t.gql(CONNECT, { input: input(issued) });
    expect(again.errors?.[0].extensions?.code).toBe('APPLE_BUSINESS_ACCOUNT_EXISTS');
  });

  it('accepts a PKCS#8 key and a School account', async () => {
    const issued = await issue('school');
    const data = await t.ok(CONNECT, { input: input(issued, { privateKeyPem: issued.privateKeyPkcs8Pem, scope: 'SCHOOL', name: 'District' }) });
    expect(data.connectAppleBusinessAccount.appleBusinessAccount).toMatchObject({ scope: 'SCHOOL', status: 'ACTIVE' });
  });

  it.each([
    ['a key that is not PEM', { privateKeyPem: 'not a key' }, 'APPLE_BUSINESS_KEY_INVALID'],
    ['an RSA key', { privateKeyPem: 'RSA' }, 'APPLE_BUSINESS_KEY_INVALID'],
    ['a School client connected as BUSINESS', { clientId: 'SCHOOLAPI.0b7e6f3a-1111-2222-3333-444455556666' }, 'APPLE_BUSINESS_SCOPE_MISMATCH'],
    ['a malformed client id', { clientId: 'nope' }, 'BAD_USER_INPUT'],
  ])('refuses %s and stores nothing', async (_what, override: Record<string, string>, code) => {
    const issued = await issue();
    const before = (await storedRows()).length;
    const privateKeyPem =
      override.privateKeyPem === 'RSA'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
        : override.privateKeyPem;
    const res = await t.gql(CONNECT, { input: input(issued, { ...override, ...(privateKeyPem ? { privateKeyPem } : {}) }) });
    expect(res.errors?.[0].extensions?.code).toBe(code);
    expect((await storedRows()).length).toBe(before);
  });

  it('refuses a client Apple refuses (invalid_client) and a key of another account, storing nothing', async () => {
    const issued = await issue();
    const other = await issue();
    const before = (await storedRows()).length;
    const wrongKey = await t.gql(CONNECT, { input: input(issued, { privateKeyPem: other.privateKeySec1Pem }) });
    expect(wrongKey.errors?.[0].extensions?.code).toBe('APPLE_BUSINESS_CLIENT_REFUSED');
    await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/disable`, {});
    const refused = await t.gql(CONNECT, { input: input(issued) });
    expect(refused.errors?.[0].extensions?.code).toBe('APPLE_BUSINESS_CLIENT_REFUSED');
    expect((await storedRows()).length).toBe(before);
  });

  it('is ADMIN only; updates the name; disconnects', async () => {
    const operator = await t.createKey('OPERATOR');
    const issued = await issue();
    const denied = await t.gql(CONNECT, { input: input(issued) }, operator);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const { connectAppleBusinessAccount } = await t.ok(CONNECT, { input: input(issued, { name: 'Temp' }) });
    const id = connectAppleBusinessAccount.appleBusinessAccount.id;
    const updated = await t.ok(`mutation ($input: UpdateAppleBusinessAccountInput!) { updateAppleBusinessAccount(input: $input) { appleBusinessAccount { name } } }`, {
      input: { accountId: id, name: 'Renamed' },
    });
    expect(updated.updateAppleBusinessAccount.appleBusinessAccount.name).toBe('Renamed');
    const gone = await t.ok(`mutation ($input: DisconnectAppleBusinessAccountInput!) { disconnectAppleBusinessAccount(input: $input) { deletedAppleBusinessAccountId } }`, {
      input: { accountId: id },
    });
    expect(gone.disconnectAppleBusinessAccount.deletedAppleBusinessAccountId).toBe(id);
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id });
    expect(node.node).toBeNull();
  });

  it('hides accounts from keys without their scope tag', async () => {
    const tag = await t.ok(`mutation { createScopeTag(input: {name: "north"}) { scopeTag { id } } }`);
    const tagId = tag.createScopeTag.scopeTag.id;
    const other = await t.ok(`mutation { createScopeTag(input: {name: "south"}) { scopeTag { id } } }`);
    const issued = await issue();
    const { connectAppleBusinessAccount } = await t.ok(CONNECT, { input: input(issued, { scopeTagIds: [tagId] }) });
    const southReader = await t.createKey('READER', [other.createScopeTag.scopeTag.id]);
    const northReader = await t.createKey('READER', [tagId]);
    const seen = (key: string) => t.ok(`{ appleBusinessAccounts { edges { node { id } } } }`, {}, key).then((d) => d.appleBusinessAccounts.edges.map((e: any) => e.node.id));
    expect(await seen(northReader)).toEqual([connectAppleBusinessAccount.appleBusinessAccount.id]);
    expect(await seen(southReader)).toEqual([]);
  });

  // Last: it moves the shared clock on by months.
  it('reuses the stored assertion for new access tokens, and signs a new one 30 days before it ends (spec §1)', async () => {
    const issued = await issue();
    await t.ok(CONNECT, { input: input(issued, { name: 'Assertion reuse' }) });
    const stored = async () =>
      ((await t.app.dataSource.query('SELECT assertion_sealed, assertion_expires_at FROM apple_business_accounts WHERE client_id = $1', [issued.clientId])) as Array<{ assertion_sealed: string; assertion_expires_at: Date }>)[0];
    const account = (await t.app.services.appleBusinessAccounts.all()).find((a) => a.clientId === issued.clientId)!;
    const callApple = () => t.app.services.appleBusinessAccounts.withApple(account, 'reading the MDM servers', (api) => api.mdmServers());
    const first = await stored();

    await t.simControl('POST', '/_sim/business/access-tokens/expire', {});
    await callApple();
    expect(await stored()).toEqual(first);

    // 151 days on: still valid at Apple, but inside the 30-day renewal window.
    t.clock.advance(151 * 86_400_000);
    await callApple();
    const renewed = await stored();
    expect(renewed.assertion_sealed).not.toBe(first.assertion_sealed);
    expect(renewed.assertion_expires_at.getTime() - t.clock.now().getTime()).toBeGreaterThan(179 * 86_400_000);
  });
});
