/**
 * The request half of the Apple MDM push certificate through GraphQL over HTTP: depgate makes the
 * key and the CSR (the key sealed, never returned); with an MDM vendor certificate configured it
 * also signs the push certificate request Apple's portal takes (plist, chain, SHA-256 signature
 * over the CSR's DER); the certificate Apple issues for it (a stand-in CA here) is then uploaded
 * alone and stored with the request's key, which it uses up. Certificates issued for another key
 * are refused with a typed code and change nothing.
 */
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { DAY_MS } from '../../../src/clock';
import { SecretBox } from '../../../src/crypto/secret-box';
import { APNS_REQUEST_TTL_DAYS, apnsPrivateKeyContext, apnsRequestKeyContext } from '../../../src/apns/apns-certificate.service';
import { issuePushCertificateFor, makePushCertificate, makeVendor, parseStringPlist, type TestVendor } from '../../support/apns-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const REQUEST_FIELDS = `subject keyBits publicKeySha256 csrPem signed pushCertificateRequest vendorCertificateSubject hint createdAt expiresAt`;
const CREATE = `mutation ($input: CreateApnsCertificateRequestInput) { createApnsCertificateRequest(input: $input) { apnsCertificateRequest { ${REQUEST_FIELDS} } } }`;
const PENDING = `{ apnsCertificateRequest { ${REQUEST_FIELDS} } }`;
const CERT_FIELDS = `id topic serialNumber notAfter appleId status renewedAt`;
const UPLOAD = `mutation ($input: UploadApnsCertificateInput!) { uploadApnsCertificate(input: $input) { apnsCertificate { ${CERT_FIELDS} } } }`;
const RENEW = `mutation ($input: RenewApnsCertificateInput!) { renewApnsCertificate(input: $input) { apnsCertificate { ${CERT_FIELDS} } } }`;
const CERTIFICATE = `{ apnsCertificate { ${CERT_FIELDS} } }`;

let plain: TestApp;
let vendored: TestApp;
let vendor: TestVendor;

beforeAll(async () => {
  plain = await startTestApp();
  vendor = makeVendor({ notBefore: new Date(plain.clock.now().getTime() - 30 * DAY_MS), days: 365 });
  vendored = await startTestApp({ env: { APNS_VENDOR_CERTIFICATE: vendor.certificatePem, APNS_VENDOR_PRIVATE_KEY: vendor.privateKeyPem } });
});
afterAll(async () => {
  await plain?.close();
  await vendored?.close();
});

const requestRows = async (t: TestApp) => (await t.app.dataSource.query(`SELECT * FROM apns_certificate_requests`)) as Record<string, any>[];
const certificateRows = async (t: TestApp) => (await t.app.dataSource.query(`SELECT * FROM apns_certificates`)) as Record<string, any>[];
const reset = async (t: TestApp) => {
  await t.app.dataSource.query(`DELETE FROM apns_certificate_requests`);
  await t.app.dataSource.query(`DELETE FROM apns_certificates`);
};
const create = async (t: TestApp, input?: Record<string, unknown>) => (await t.ok(CREATE, { input })).createApnsCertificateRequest.apnsCertificateRequest;
const spkiSha256 = (publicKey: forge.pki.PublicKey) =>
  createHash('sha256').update(Buffer.from(forge.asn1.toDer(forge.pki.publicKeyToAsn1(publicKey)).getBytes(), 'binary')).digest('hex');
const csrDer = (csrPem: string) => Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(forge.pki.certificationRequestFromPem(csrPem))).getBytes(), 'binary');
/** The key sealed in the request row, opened as the app would. */
const requestKeyOf = (t: TestApp, row: Record<string, any>) => new SecretBox(t.secretKey).open(row.private_key_sealed, apnsRequestKeyContext(row.id));
const modulusOf = (privateKeyPem: string) => (forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey).n.toString(16);

describe('without an MDM vendor certificate', () => {
  afterEach(() => reset(plain));

  it('makes an RSA 2048 key and a CSR with the subject asked for; the key is sealed and never returned', async () => {
    const t = plain;
    const request = await create(t, { commonName: 'Example MDM push', email: 'mdm-admin@example.com', organization: 'Example Corp', country: 'us' });
    expect(request).toMatchObject({
      subject: 'C=US, O=Example Corp, CN=Example MDM push, E=mdm-admin@example.com',
      keyBits: 2048,
      signed: false,
      pushCertificateRequest: null,
      vendorCertificateSubject: null,
      createdAt: t.clock.now().toISOString(),
      expiresAt: new Date(t.clock.now().getTime() + APNS_REQUEST_TTL_DAYS * DAY_MS).toISOString(),
    });
    expect(request.hint).toContain('APNS_VENDOR_CERTIFICATE');
    expect(request.hint).toContain('mdmcert.download');
    expect(request.hint).toContain('uploadApnsCertificate');

    const csr = forge.pki.certificationRequestFromPem(request.csrPem);
    expect(csr.verify()).toBe(true);
    const field = (name: string) => csr.subject.getField(name)?.value;
    expect([field('CN'), field('O'), field('C'), field('E')]).toEqual(['Example MDM push', 'Example Corp', 'US', 'mdm-admin@example.com']);
    const publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
    expect(publicKey.n.bitLength()).toBe(2048);
    expect(publicKey.e.toString(10)).toBe('65537');
    expect(csr.siginfo.algorithmOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
    expect(request.publicKeySha256).toBe(spkiSha256(publicKey));

    expect(JSON.stringify(request)).not.toMatch(/PRIVATE KEY/);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);
    const [row] = await requestRows(t);
    expect(row.private_key_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toMatch(/PRIVATE KEY/);
    const key = requestKeyOf(t, row);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(modulusOf(key)).toBe(publicKey.n.toString(16));
    expect(t.logs.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('takes no input (a default subject), and a new request replaces the pending one', async () => {
    const t = plain;
    const first = (await t.ok(`mutation { createApnsCertificateRequest { apnsCertificateRequest { subject publicKeySha256 } } }`)).createApnsCertificateRequest
      .apnsCertificateRequest;
    expect(first.subject).toBe('CN=depgate MDM push');
    t.clock.advance(60_000);
    const second = await create(t, { commonName: 'Second' });
    expect(second.publicKeySha256).not.toBe(first.publicKeySha256);
    const rows = await requestRows(t);
    expect(rows.map((r) => r.public_key_sha256)).toEqual([second.publicKeySha256]);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(second);
  });

  it.each([
    [{ commonName: 'x'.repeat(65) }, 'commonName'],
    [{ organization: 'o'.repeat(65) }, 'organization'],
    [{ email: 'not an email' }, 'email'],
    [{ email: 'ünicode@example.com' }, 'email'],
    [{ country: 'USA' }, 'country'],
  ])('refuses %j with BAD_USER_INPUT on its field, keeping the pending request', async (input, field) => {
    const t = plain;
    const pending = await create(t, { commonName: 'Kept' });
    const res = await t.gql(CREATE, { input });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(pending);
  });

  it('refuses readers, operators and admins with scope tags; readers see the pending request', async () => {
    const t = plain;
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "csr-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const keys = [await t.createKey('READER'), await t.createKey('OPERATOR'), await t.createKey('ADMIN', [tag])];
    for (const key of keys) {
      const res = await t.gql(CREATE, { input: {} }, key);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await requestRows(t)).toEqual([]);
    expect((await t.ok(PENDING, {}, keys[0])).apnsCertificateRequest).toBeNull();
    const request = await create(t);
    expect((await t.ok(PENDING, {}, keys[0])).apnsCertificateRequest).toEqual(request);
  });
});

describe('the certificate Apple issues for the request, uploaded without a key', () => {
  afterEach(() => reset(plain));

  it('is stored with the request key (re-sealed), and uses the request up', async () => {
    const t = plain;
    const request = await create(t, { email: 'mdm-admin@example.com' });
    const [requestRow] = await requestRows(t);
    const requestKey = requestKeyOf(t, requestRow);
    const issued = issuePushCertificateFor(request.csrPem, { notBefore: t.clock.now(), days: 365 });

    const res = await t.gql(UPLOAD, { input: { certificate: issued.certificatePem, appleId: 'mdm-admin@example.com' } });
    expect(res.errors).toBeUndefined();
    const shown = res.data.uploadApnsCertificate.apnsCertificate;
    expect(shown).toMatchObject({ topic: issued.topic, serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(), status: 'VALID' });
    expect(shown.topic).toMatch(/^com\.apple\.mgmt\.External\.[0-9A-F-]{36}$/);
    expect(JSON.stringify(res.data)).not.toMatch(/PRIVATE KEY/);
    expect((await t.ok(CERTIFICATE)).apnsCertificate).toEqual(shown);

    // The request is gone; its key now sits with the certificate, sealed under the certificate's row.
    expect((await t.ok(PENDING)).apnsCertificateRequest).toBeNull();
    expect(await requestRows(t)).toEqual([]);
    const [row] = await certificateRows(t);
    expect(row.private_key_sealed).toMatch(/^v1:/);
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY/);
    const stored = new SecretBox(t.secretKey).open(row.private_key_sealed, apnsPrivateKeyContext(row.id));
    expect(modulusOf(stored)).toBe(modulusOf(requestKey));
    const certificateKey = forge.pki.certificateFromPem(issued.certificatePem).publicKey as forge.pki.rsa.PublicKey;
    expect(modulusOf(stored)).toBe(certificateKey.n.toString(16));
    expect(t.logs.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('exports certificate and key for the MDM server as a PKCS#12 under the admin password, to unrestricted admins only', async () => {
    const t = plain;
    const request = await create(t, {});
    const [requestRow] = await requestRows(t);
    const requestKey = requestKeyOf(t, requestRow);
    const issued = issuePushCertificateFor(request.csrPem, { notBefore: t.clock.now(), days: 365 });
    await t.ok(UPLOAD, { input: { certificate: issued.certificatePem, appleId: 'mdm-admin@example.com' } });
    const EXPORT = `mutation ($p: String!) { exportApnsCertificate(input: {password: $p}) { pkcs12Base64 fileName apnsCertificate { topic } } }`;
    const password = 'correct horse battery';

    const { exportApnsCertificate: exported } = await t.ok(EXPORT, { p: password });
    expect(exported.fileName).toBe(`${issued.topic}.p12`);
    expect(exported.apnsCertificate.topic).toBe(issued.topic);
    // What an MDM server does with it: open it with the password and find the pair.
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(exported.pkcs12Base64)), password);
    const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]![0]!;
    const certBag = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]![0]!;
    expect((keyBag.key as forge.pki.rsa.PrivateKey).n.toString(16)).toBe(modulusOf(requestKey));
    expect(certBag.cert!.serialNumber.toUpperCase()).toBe(issued.serialNumber.replace(/:/g, '').toUpperCase().replace(/^0+/, ''));
    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(exported.pkcs12Base64)), 'wrong password!!')).toThrow();
    expect(t.logs.join('\n')).not.toContain(password);

    const refused = async (p: string, key?: string) => (await t.gql(EXPORT, { p }, key)).errors?.[0].extensions;
    expect(await refused('short')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect((await refused(password, await t.createKey('OPERATOR')))?.code).toBe('FORBIDDEN');
    await t.ok(`mutation { deleteApnsCertificate { deletedApnsCertificateId } }`);
    expect((await refused(password))?.code).toBe('NOT_FOUND');
  });

  it('refuses a certificate of another key with APNS_CERTIFICATE_REQUEST_MISMATCH, changing nothing', async () => {
    const t = plain;
    // None pending: the code says so.
    const other = makePushCertificate({ notBefore: t.clock.now(), days: 365 });
    const none = await t.gql(UPLOAD, { input: { certificate: other.certificatePem, appleId: 'a@example.com' } });
    expect(none.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_REQUEST_MISMATCH', field: 'certificate', pendingRequestCreatedAt: null });

    const request = await create(t);
    const refused = await t.gql(UPLOAD, { input: { certificate: other.certificatePem, appleId: 'a@example.com' } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_REQUEST_MISMATCH', field: 'certificate', pendingRequestCreatedAt: request.createdAt });
    expect(refused.errors?.[0].message).not.toMatch(/PRIVATE KEY/);
    expect(await certificateRows(t)).toEqual([]);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);

    // The certificate and its own key together are still taken, and leave the request pending.
    const withKey = await t.gql(UPLOAD, { input: { certificate: other.certificatePem, privateKey: other.privateKeyPem, appleId: 'a@example.com' } });
    expect(withKey.errors).toBeUndefined();
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);
  });

  it('refuses the certificate of an expired request (and forgets its key), or of a replaced one', async () => {
    const t = plain;
    const start = t.clock.now();
    const replaced = await create(t);
    const current = await create(t, { commonName: 'Newer' });
    const forReplaced = issuePushCertificateFor(replaced.csrPem, { notBefore: start, days: 365 });
    const res = await t.gql(UPLOAD, { input: { certificate: forReplaced.certificatePem, appleId: 'a@example.com' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_REQUEST_MISMATCH', pendingRequestCreatedAt: current.createdAt });

    const forCurrent = issuePushCertificateFor(current.csrPem, { notBefore: start, days: 365 });
    try {
      t.clock.set(new Date(current.expiresAt).getTime() + 1000);
      expect((await t.ok(PENDING)).apnsCertificateRequest).toBeNull();
      const late = await t.gql(UPLOAD, { input: { certificate: forCurrent.certificatePem, appleId: 'a@example.com' } });
      expect(late.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_REQUEST_MISMATCH', pendingRequestCreatedAt: null });
      expect(await requestRows(t)).toEqual([]);
      expect(await certificateRows(t)).toEqual([]);
    } finally {
      t.clock.set(start);
    }
  });

  it('renews with the certificate of a new request (same topic): the key is replaced; another topic changes nothing', async () => {
    const t = plain;
    const first = makePushCertificate({ notBefore: t.clock.now(), days: 365 });
    const uploaded = (await t.ok(UPLOAD, { input: { certificate: first.certificatePem, privateKey: first.privateKeyPem, appleId: 'owner@example.com' } }))
      .uploadApnsCertificate.apnsCertificate;

    const request = await create(t);
    const otherTopic = issuePushCertificateFor(request.csrPem, { notBefore: t.clock.now(), days: 365 });
    const refused = await t.gql(RENEW, { input: { certificate: otherTopic.certificatePem } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_TOPIC_MISMATCH', topic: first.topic });
    expect((await t.ok(CERTIFICATE)).apnsCertificate).toEqual(uploaded);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);

    const [requestRow] = await requestRows(t);
    const requestKey = requestKeyOf(t, requestRow);
    const renewal = issuePushCertificateFor(request.csrPem, { topic: first.topic, notBefore: t.clock.now(), days: 400 });
    const renewed = (await t.ok(RENEW, { input: { certificate: renewal.certificatePem, appleId: 'owner@example.com' } })).renewApnsCertificate.apnsCertificate;
    expect(renewed).toMatchObject({ id: uploaded.id, topic: first.topic, serialNumber: renewal.serialNumber, renewedAt: t.clock.now().toISOString() });
    const [row] = await certificateRows(t);
    expect(modulusOf(new SecretBox(t.secretKey).open(row.private_key_sealed, apnsPrivateKeyContext(row.id)))).toBe(modulusOf(requestKey));
    expect(await requestRows(t)).toEqual([]);
  });

  it('refuses scoped admins the upload alone, keeping the request', async () => {
    const t = plain;
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "upload-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('ADMIN', [tag]);
    const request = await create(t);
    const issued = issuePushCertificateFor(request.csrPem, { notBefore: t.clock.now(), days: 365 });
    const res = await t.gql(UPLOAD, { input: { certificate: issued.certificatePem, appleId: 'a@example.com' } }, scoped);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await certificateRows(t)).toEqual([]);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);
  });
});

describe('with an MDM vendor certificate configured', () => {
  afterEach(() => reset(vendored));

  it("returns the push certificate request for Apple's portal: the CSR's DER, the vendor chain, a SHA-256 signature by the vendor key", async () => {
    const t = vendored;
    const request = await create(t, { email: 'mdm-admin@example.com' });
    expect(request).toMatchObject({ signed: true, vendorCertificateSubject: vendor.vendorSubject, keyBits: 2048 });
    expect(request.hint).toContain('identity.apple.com');
    expect(request.hint).not.toContain('does not end in a root');

    expect(request.pushCertificateRequest).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const plist = parseStringPlist(Buffer.from(request.pushCertificateRequest, 'base64').toString('utf8'));
    expect(Object.keys(plist).sort()).toEqual(['PushCertCertificateChain', 'PushCertRequestCSR', 'PushCertSignature']);

    const der = Buffer.from(plist.PushCertRequestCSR, 'base64');
    expect(der.equals(csrDer(request.csrPem))).toBe(true);
    const vendorCertificate = new X509Certificate(vendor.vendorCertificatePem);
    expect(verify('sha256', der, vendorCertificate.publicKey, Buffer.from(plist.PushCertSignature, 'base64'))).toBe(true);
    // Not by any other key: the signature is the vendor's.
    expect(verify('sha256', der, createPublicKey(forge.pki.publicKeyToPem(forge.pki.certificationRequestFromPem(request.csrPem).publicKey!)), Buffer.from(plist.PushCertSignature, 'base64'))).toBe(false);

    // The chain: vendor, intermediate, root, each in PEM lines of 64 characters.
    const blocks = plist.PushCertCertificateChain.match(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----\n/g)!;
    expect(blocks.join('')).toBe(plist.PushCertCertificateChain);
    expect(blocks.map((b) => new X509Certificate(b).fingerprint256)).toEqual(
      [vendor.vendorCertificatePem, vendor.intermediatePem, vendor.rootPem].map((p) => new X509Certificate(p).fingerprint256),
    );
    for (const block of blocks) {
      const lines = block.trim().split('\n').slice(1, -1);
      expect(lines.slice(0, -1).every((l) => l.length === 64)).toBe(true);
      expect(lines[lines.length - 1].length).toBeLessThanOrEqual(64);
    }
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(request);

    // What Apple issues for it comes back alone and is stored.
    const issued = issuePushCertificateFor(request.csrPem, { notBefore: t.clock.now(), days: 365 });
    const uploaded = (await t.ok(UPLOAD, { input: { certificate: issued.certificatePem, appleId: 'mdm-admin@example.com' } })).uploadApnsCertificate.apnsCertificate;
    expect(uploaded.topic).toBe(issued.topic);
    const [row] = await certificateRows(t);
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY/);
    expect((await t.ok(PENDING)).apnsCertificateRequest).toBeNull();
  });

  it('refuses with APNS_VENDOR_CERTIFICATE_EXPIRED once the vendor certificate has expired, keeping the pending request', async () => {
    const t = vendored;
    const start = t.clock.now();
    const pending = await create(t);
    const notAfter = new X509Certificate(vendor.vendorCertificatePem).validTo;
    try {
      t.clock.set(new Date(notAfter).getTime() + 1000);
      const res = await t.gql(CREATE, { input: {} });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'APNS_VENDOR_CERTIFICATE_EXPIRED', expiredAt: new Date(notAfter).toISOString() });
    } finally {
      t.clock.set(start);
    }
    expect((await t.ok(PENDING)).apnsCertificateRequest).toEqual(pending);
  });

  it('says so in the hint when the configured chain stops short of a root', async () => {
    const shortVendor = makeVendor({ notBefore: new Date(plain.clock.now().getTime() - DAY_MS), days: 365, chain: 'vendor' });
    const t = await startTestApp({ env: { APNS_VENDOR_CERTIFICATE: shortVendor.certificatePem, APNS_VENDOR_PRIVATE_KEY: shortVendor.privateKeyPem } });
    try {
      const request = await create(t);
      expect(request.signed).toBe(true);
      expect(request.hint).toContain('does not end in a root');
      const plist = parseStringPlist(Buffer.from(request.pushCertificateRequest, 'base64').toString('utf8'));
      expect(new X509Certificate(plist.PushCertCertificateChain).fingerprint256).toBe(new X509Certificate(shortVendor.vendorCertificatePem).fingerprint256);
    } finally {
      await t.close();
    }
  });
});
