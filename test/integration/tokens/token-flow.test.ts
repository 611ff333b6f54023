/**
 * The whole DEP token lifecycle through GraphQL over HTTP, against the Apple simulator over HTTP and
 * a real PostgreSQL: key pair, upload (every accepted shape and every refusal), renew, update,
 * delete; secrets never leave the service and are encrypted at rest.
 */
import { randomUUID } from 'node:crypto';
import { SecretBox } from '../../../src/crypto/secret-box';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { parseGlobalId, toGlobalId } from '../../../src/graphql/global-id';
import { privateKeyContext } from '../../../src/tokens/token.service';
import { startTestApp, type TestApp } from '../../support/test-app';
import { envelope, innerContent, loadAppleFixture, sampleTokenJson, smimeText } from '../../support/token-files';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const TOKEN_FIELDS = `id name appleId orgName serverName serverUuid tokenType expiresAt status certificatePem createdAt scopeTags { name }`;
const CREATE_KEY_PAIR = `mutation ($consent: Boolean!) { createDepTokenKeyPair(input: {dataSharingConsent: $consent}) { keyPair { id certificatePem expiresAt } } }`;
const UPLOAD = `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { ${TOKEN_FIELDS} } } }`;
const RENEW = `mutation ($input: RenewDepTokenInput!) { renewDepToken(input: $input) { token { ${TOKEN_FIELDS} renewedAt } } }`;

async function count(table: string): Promise<number> {
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}

async function newKeyPair(): Promise<{ id: string; certificatePem: string; expiresAt: string }> {
  return (await t.ok(CREATE_KEY_PAIR, { consent: true })).createDepTokenKeyPair.keyPair;
}

interface IssuedServer {
  serverUuid: string;
  tokenFile: string;
  credentials: { consumerSecret: string; accessToken: string; accessSecret: string };
}

async function issue(certificatePem: string, extra: Record<string, unknown> = {}): Promise<IssuedServer> {
  return t.simControl('POST', '/_sim/servers', {
    certificatePem,
    orgName: 'Example Corp',
    serverName: `MDM ${randomUUID().slice(0, 6)}`,
    revealCredentials: true,
    accessTokenExpiry: new Date(t.clock.now().getTime() + 365 * DAY_MS).toISOString(),
    ...extra,
  });
}

async function uploadNew(extra: Record<string, unknown> = {}, input: Record<string, unknown> = {}) {
  const keyPair = await newKeyPair();
  const server = await issue(keyPair.certificatePem, extra);
  const res = await t.gql(UPLOAD, { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', ...input } });
  const token = res.data?.uploadDepToken?.token;
  // An upload queues the token's first sync, which writes to the token row: let it finish first.
  if (token) await waitForFirstSync(parseGlobalId(token.id)!.id);
  return { keyPair, server, res, token };
}

async function waitForFirstSync(tokenRowId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [{ n }] = await t.app.dataSource.query(
      `SELECT count(*)::int AS n FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`,
      [tokenRowId],
    );
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error('the first sync of the uploaded token did not finish');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('step 1: the key pair', () => {
  it('is refused without consent to share data with Apple, and nothing is stored', async () => {
    const before = await count('dep_token_key_pairs');
    const res = await t.gql(CREATE_KEY_PAIR, { consent: false });
    expect(res.errors?.[0].extensions?.code).toBe('DATA_SHARING_CONSENT_REQUIRED');
    expect(await count('dep_token_key_pairs')).toBe(before);
  });

  it('hands out a PEM certificate that expires after 24 hours, keeping the private key encrypted', async () => {
    const keyPair = await newKeyPair();
    expect(keyPair.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(new Date(keyPair.expiresAt).getTime()).toBe(t.clock.now().getTime() + 24 * HOUR_MS);
    const [row] = await t.app.dataSource.query(`SELECT private_key_sealed FROM dep_token_key_pairs ORDER BY created_at DESC LIMIT 1`);
    expect(row.private_key_sealed).toMatch(/^v1:/);
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY/);
  });
});

describe('step 4: upload', () => {
  it('stores the token with what Apple says about the account, and shows it in queries', async () => {
    const { server, token, res } = await uploadNew({}, { name: 'Head office' });
    expect(res.errors).toBeUndefined();
    expect(token).toMatchObject({
      name: 'Head office',
      appleId: 'admin@example.com',
      orgName: 'Example Corp',
      serverUuid: server.serverUuid,
      tokenType: 'DEP',
      status: 'ACTIVE',
    });
    const list = await t.ok(`{ depTokens(first: 100) { totalCount edges { node { id serverUuid } } } }`);
    expect(list.depTokens.edges.map((e: any) => e.node.id)).toContain(token.id);
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { ... on DepToken { serverUuid } } }`, { id: token.id });
    expect(node.node.serverUuid).toBe(server.serverUuid);
    const one = await t.ok(`query ($id: ID!) { depToken(id: $id) { name } }`, { id: token.id });
    expect(one.depToken.name).toBe('Head office');
  });

  it('names the token after the MDM server when no name is given, and records ASM for edu orgs', async () => {
    const { token } = await uploadNew({ orgType: 'edu', serverName: 'School MDM' });
    expect(token).toMatchObject({ name: 'School MDM', tokenType: 'ASM' });
  });

  it('keeps the certificate downloadable after upload (renewals are encrypted to it)', async () => {
    const { keyPair, token } = await uploadNew();
    expect(token.certificatePem).toBe(keyPair.certificatePem);
  });

  it.each([
    ['x-pkcs7-mime with CRLF and a MIME-Version header', (cms: Buffer) => smimeText(cms, { contentType: 'application/x-pkcs7-mime', lineEnding: '\r\n', mimeVersion: true })],
    ['a bare base64 body', (cms: Buffer) => smimeText(cms, { headers: false })],
    ['base64 of the raw file bytes', (cms: Buffer) => Buffer.from(smimeText(cms)).toString('base64')],
  ])('accepts %s', async (_label, shape) => {
    const keyPair = await newKeyPair();
    const server = await issue(keyPair.certificatePem);
    const creds = await t.simControl('GET', `/_sim/servers/${server.serverUuid}`);
    const json = sampleTokenJson({
      consumer_key: creds.consumerKey,
      consumer_secret: server.credentials.consumerSecret,
      access_token: server.credentials.accessToken,
      access_secret: server.credentials.accessSecret,
      access_token_expiry: new Date(t.clock.now().getTime() + 100 * DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    const cms = envelope(keyPair.certificatePem, innerContent(json), { cipher: 'aes256', ber: true });
    const res = await t.gql(UPLOAD, { input: { keyPairId: keyPair.id, tokenFile: shape(cms), appleId: 'admin@example.com' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.uploadDepToken.token.serverUuid).toBe(server.serverUuid);
  });

  describe('refusals leave nothing stored', () => {
    let tokensBefore: number;
    beforeEach(async () => {
      tokensBefore = await count('dep_tokens');
    });
    afterEach(async () => {
      expect(await count('dep_tokens')).toBe(tokensBefore);
    });

    async function refusal(tokenFile: string, keyPairId?: string) {
      const id = keyPairId ?? (await newKeyPair()).id;
      const res = await t.gql(UPLOAD, { input: { keyPairId: id, tokenFile, appleId: 'admin@example.com' } });
      expect(res.data).toBeNull();
      return res.errors?.[0];
    }

    it('TOKEN_FILE_UNREADABLE for something that is not a token file', async () => {
      expect((await refusal('hello, this is not a p7m'))?.extensions?.code).toBe('TOKEN_FILE_UNREADABLE');
    });

    it('TOKEN_FILE_TOO_LARGE over 1 MB', async () => {
      expect((await refusal('A'.repeat(1024 * 1024 + 10)))?.extensions?.code).toBe('TOKEN_FILE_TOO_LARGE');
    });

    it('TOKEN_NOT_DECRYPTABLE for a token encrypted to another key pair', async () => {
      const other = await newKeyPair();
      const server = await issue(other.certificatePem);
      expect((await refusal(server.tokenFile))?.extensions?.code).toBe('TOKEN_NOT_DECRYPTABLE');
    });

    it('TOKEN_PAYLOAD_MALFORMED when the decrypted content lacks the OAuth fields', async () => {
      const keyPair = await newKeyPair();
      const cms = envelope(keyPair.certificatePem, innerContent({ consumer_key: 'CK_1' }));
      expect((await refusal(smimeText(cms), keyPair.id))?.extensions?.code).toBe('TOKEN_PAYLOAD_MALFORMED');
    });

    it('TOKEN_EXPIRED for an expired token, without calling Apple', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem, { accessTokenExpiry: new Date(t.clock.now().getTime() - DAY_MS).toISOString() });
      await t.simControl('DELETE', '/_sim/requests');
      const error = await refusal(server.tokenFile, keyPair.id);
      expect(error?.extensions?.code).toBe('TOKEN_EXPIRED');
      expect((await t.simControl('GET', '/_sim/requests')).requests).toEqual([]);
    });

    it('TOKEN_TERMS_NOT_ACCEPTED when Apple has new terms to accept', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem, { termsSigned: false });
      expect((await refusal(server.tokenFile, keyPair.id))?.extensions?.code).toBe('TOKEN_TERMS_NOT_ACCEPTED');
    });

    it('TOKEN_REJECTED_BY_APPLE when Apple denies access', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem);
      await t.simControl('POST', `/_sim/servers/${server.serverUuid}/access`, { denied: true });
      expect((await refusal(server.tokenFile, keyPair.id))?.extensions?.code).toBe('TOKEN_REJECTED_BY_APPLE');
    });

    it('APPLE_UNAVAILABLE when Apple keeps failing', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem);
      await t.simControl('POST', '/_sim/faults', { status: 503, count: 10 });
      try {
        expect((await refusal(server.tokenFile, keyPair.id))?.extensions?.code).toBe('APPLE_UNAVAILABLE');
      } finally {
        await t.simControl('DELETE', '/_sim/faults');
      }
    });

    it('TOKEN_KEY_PAIR_EXPIRED once the pending key pair is older than 24 hours', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem);
      t.clock.advance(24 * HOUR_MS + 1000);
      try {
        expect((await refusal(server.tokenFile, keyPair.id))?.extensions?.code).toBe('TOKEN_KEY_PAIR_EXPIRED');
      } finally {
        t.clock.advance(-(24 * HOUR_MS + 1000));
      }
    });

    it('TOKEN_ALREADY_REGISTERED for an MDM server that is already registered (renew it instead)', async () => {
      const { server, token } = await uploadNew();
      tokensBefore = await count('dep_tokens');
      const other = await newKeyPair();
      const renewed = await t.simControl('POST', `/_sim/servers/${server.serverUuid}/renew`, { certificatePem: other.certificatePem });
      const error = await refusal(renewed.tokenFile, other.id);
      expect(error?.extensions?.code).toBe('TOKEN_ALREADY_REGISTERED');
      // It names the token to renew instead, as the global id depToken(id:) and node(id:) take.
      expect(error?.extensions?.tokenId).toBe(token.id);
    });

    it('TOKEN_KEY_PAIR_USED when a key pair already has a token', async () => {
      const { keyPair } = await uploadNew();
      tokensBefore = await count('dep_tokens');
      const server = await issue(keyPair.certificatePem);
      expect((await refusal(server.tokenFile, keyPair.id))?.extensions?.code).toBe('TOKEN_KEY_PAIR_USED');
    });

    it('BAD_USER_INPUT for an Apple ID that is not an email address', async () => {
      const keyPair = await newKeyPair();
      const server = await issue(keyPair.certificatePem);
      const res = await t.gql(UPLOAD, { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'not-an-apple-id' } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'appleId' });
    });
  });

  it("decrypts Apple's real token with its key and refuses it as expired", async () => {
    const fixture = loadAppleFixture();
    const id = randomUUID();
    const now = t.clock.now();
    await t.app.dataSource.query(
      `INSERT INTO dep_token_key_pairs (id, certificate_pem, certificate_serial, private_key_sealed, data_sharing_consent_at, created_at, expires_at)
       VALUES ($1, $2, 'fixture', $3, $4, $4, $5)`,
      [id, fixture.certificatePem, new SecretBox(t.secretKey).seal(fixture.privateKeyPem, privateKeyContext(id)), now, new Date(now.getTime() + DAY_MS)],
    );
    const res = await t.gql(UPLOAD, { input: { keyPairId: toGlobalId('DepTokenKeyPair', id), tokenFile: fixture.tokenFileText, appleId: 'admin@example.com' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAt: '2026-01-17T11:02:21.000Z' });
  });
});

describe('renewal', () => {
  it('refuses another Apple ID, accepts the recorded one in any case, moves the expiry and replaces the secrets', async () => {
    const { server, token } = await uploadNew();
    const newExpiry = new Date(t.clock.now().getTime() + 400 * DAY_MS);
    const renewed = await t.simControl('POST', `/_sim/servers/${server.serverUuid}/renew`, {
      accessTokenExpiry: newExpiry.toISOString(),
      revealCredentials: true,
    });

    const mismatch = await t.gql(RENEW, { input: { tokenId: token.id, tokenFile: renewed.tokenFile, appleId: 'someone.else@example.com' } });
    expect(mismatch.errors?.[0].extensions?.code).toBe('APPLE_ID_MISMATCH');

    const before = await t.app.dataSource.query(`SELECT credentials_sealed, expires_at FROM dep_tokens WHERE server_uuid = $1`, [server.serverUuid]);
    const res = await t.gql(RENEW, { input: { tokenId: token.id, tokenFile: renewed.tokenFile, appleId: 'ADMIN@Example.com' } });
    expect(res.errors).toBeUndefined();
    expect(new Date(res.data.renewDepToken.token.expiresAt).getTime()).toBe(Math.floor(newExpiry.getTime() / 1000) * 1000);
    expect(res.data.renewDepToken.token.renewedAt).not.toBeNull();
    const after = await t.app.dataSource.query(`SELECT credentials_sealed FROM dep_tokens WHERE server_uuid = $1`, [server.serverUuid]);
    expect(after[0].credentials_sealed).not.toBe(before[0].credentials_sealed);
  });

  it('refuses a token of another MDM server with TOKEN_SERVER_MISMATCH and changes nothing', async () => {
    const first = await uploadNew();
    // The other server's token encrypted to the first token's certificate (same vendor key).
    const otherServer = await issue(first.keyPair.certificatePem);
    const before = await t.app.dataSource.query(`SELECT * FROM dep_tokens WHERE server_uuid = $1`, [first.server.serverUuid]);
    const res = await t.gql(RENEW, { input: { tokenId: first.token.id, tokenFile: otherServer.tokenFile, appleId: 'admin@example.com' } });
    expect(res.errors?.[0].extensions?.code).toBe('TOKEN_SERVER_MISMATCH');
    const after = await t.app.dataSource.query(`SELECT * FROM dep_tokens WHERE server_uuid = $1`, [first.server.serverUuid]);
    expect(after).toEqual(before);
  });

  it('refuses a file that does not decrypt with this token key pair', async () => {
    const { token } = await uploadNew();
    const stranger = await newKeyPair();
    const server = await issue(stranger.certificatePem);
    const res = await t.gql(RENEW, { input: { tokenId: token.id, tokenFile: server.tokenFile, appleId: 'admin@example.com' } });
    expect(res.errors?.[0].extensions?.code).toBe('TOKEN_NOT_DECRYPTABLE');
  });
});

describe('status over time', () => {
  it('is EXPIRING_SOON within 30 days of expiry and EXPIRED after it', async () => {
    const { token } = await uploadNew({ accessTokenExpiry: new Date(t.clock.now().getTime() + 40 * DAY_MS).toISOString() });
    const status = async () => (await t.ok(`query ($id: ID!) { depToken(id: $id) { status } }`, { id: token.id })).depToken.status;
    expect(await status()).toBe('ACTIVE');
    t.clock.advance(11 * DAY_MS);
    expect(await status()).toBe('EXPIRING_SOON');
    t.clock.advance(30 * DAY_MS);
    expect(await status()).toBe('EXPIRED');
    t.clock.advance(-41 * DAY_MS);
  });
});

describe('update and delete', () => {
  it('renames a token and replaces its scope tags', async () => {
    const { token } = await uploadNew();
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "Paris"}) { scopeTag { id } } }`)).createScopeTag.scopeTag;
    const res = await t.ok(
      `mutation ($input: UpdateDepTokenInput!) { updateDepToken(input: $input) { token { name scopeTags { name } } } }`,
      { input: { tokenId: token.id, name: 'Renamed', scopeTagIds: [tag.id] } },
    );
    expect(res.updateDepToken.token).toEqual({ name: 'Renamed', scopeTags: [{ name: 'Paris' }] });
    const inUse = await t.gql(`mutation ($id: ID!) { deleteScopeTag(input: {scopeTagId: $id}) { deletedScopeTagId } }`, { id: tag.id });
    expect(inUse.errors?.[0].extensions?.code).toBe('SCOPE_TAG_IN_USE');
  });

  it('deletes a token and its key pair', async () => {
    const { token } = await uploadNew();
    const res = await t.ok(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: token.id });
    expect(res.deleteDepToken.deletedDepTokenId).toBe(token.id);
    expect((await t.ok(`query ($id: ID!) { depToken(id: $id) { id } }`, { id: token.id })).depToken).toBeNull();
    const again = await t.gql(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: token.id });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('secrets', () => {
  it('never appear in responses, logs or the database in plain text', async () => {
    const { server, res } = await uploadNew();
    const [row] = await t.app.dataSource.query(`SELECT * FROM dep_tokens WHERE server_uuid = $1`, [server.serverUuid]);
    const secrets = [server.credentials.consumerSecret, server.credentials.accessToken, server.credentials.accessSecret];
    const haystacks = [JSON.stringify(res), t.logs.join('\n'), JSON.stringify(row)];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of haystacks) expect(text).not.toContain(secret);
    }
    expect(t.logs.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('mask unexpected errors as INTERNAL_SERVER_ERROR with a request id, logged in full', async () => {
    const { token } = await uploadNew();
    // Corrupt the sealed credentials: opening them is a server fault, not the caller's.
    await t.app.dataSource.query(`UPDATE dep_token_key_pairs SET private_key_sealed = 'v1:broken' WHERE id = (SELECT key_pair_id FROM dep_tokens WHERE id = $1)`, [
      parseGlobalId(token.id)!.id,
    ]);
    const file = (await t.simControl('POST', `/_sim/servers/${token.serverUuid}/renew`, {})).tokenFile;
    const res = await t.gql(RENEW, { input: { tokenId: token.id, tokenFile: file, appleId: 'admin@example.com' } });
    expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const requestId = res.errors?.[0].extensions?.requestId;
    expect(requestId).toBe(res.headers.get('x-request-id'));
    expect(t.logs.some((l) => l.includes(requestId) && l.includes('"level":50'))).toBe(true);
  });
});
