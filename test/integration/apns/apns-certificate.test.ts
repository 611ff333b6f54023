/**
 * The Apple MDM push certificate through GraphQL over HTTP: PEM and PKCS#12 uploads read the
 * topic, subject, serial and validity, the key is sealed and never returned, every refusal changes
 * nothing, renewals keep the topic, the expiry alerts follow the injected clock, and /metrics shows
 * the expiry.
 */
import { DAY_MS } from '../../../src/clock';
import { SecretBox } from '../../../src/crypto/secret-box';
import { apnsPrivateKeyContext } from '../../../src/apns/apns-certificate.service';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { makePushCertificate } from '../../support/apns-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const FIELDS = `id topic subject issuer serialNumber notBefore notAfter appleId status certificatePem createdAt renewedAt`;
const UPLOAD = `mutation ($input: UploadApnsCertificateInput!) { uploadApnsCertificate(input: $input) { apnsCertificate { ${FIELDS} } } }`;
const RENEW = `mutation ($input: RenewApnsCertificateInput!) { renewApnsCertificate(input: $input) { apnsCertificate { ${FIELDS} } } }`;
const DELETE = `mutation { deleteApnsCertificate { deletedApnsCertificateId } }`;
const QUERY = `{ apnsCertificate { ${FIELDS} } }`;
const ALERTS = `{ alerts(filter: { status: ALL }) { edges { node { kind severity threshold active message apnsCertificate { topic } subject { __typename } } } } }`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const now = () => t.clock.now();
const rows = async () => (await t.app.dataSource.query(`SELECT * FROM apns_certificates`)) as Record<string, any>[];
const alertsOf = async (key?: string) => (await t.ok(ALERTS, {}, key)).alerts.edges.map((e: any) => e.node);
const deleteAll = () => t.app.dataSource.query(`DELETE FROM apns_certificates`);

describe('upload', () => {
  afterEach(deleteAll);

  it('reads a PEM certificate and key: topic, subject, serial, validity and Apple ID; the key sealed, never returned', async () => {
    const cert = makePushCertificate({ notBefore: new Date(now().getTime() - DAY_MS), days: 365 });
    const res = await t.gql(UPLOAD, { input: { certificate: cert.certificatePem, privateKey: cert.privateKeyPem, appleId: 'mdm-admin@example.com' } });
    expect(res.errors).toBeUndefined();
    const shown = res.data.uploadApnsCertificate.apnsCertificate;
    expect(shown).toMatchObject({
      topic: cert.topic,
      serialNumber: cert.serialNumber,
      notAfter: cert.notAfter.toISOString(),
      appleId: 'mdm-admin@example.com',
      status: 'VALID',
      renewedAt: null,
    });
    expect(shown.subject).toContain(`UID=${cert.topic}`);
    expect(shown.subject).toContain('CN=APSP:');
    expect(shown.issuer).toContain('Apple Application Integration 2');
    expect(JSON.stringify(res.data)).not.toMatch(/PRIVATE KEY/);
    expect(await t.ok(QUERY)).toEqual({ apnsCertificate: shown });

    const [row] = await rows();
    expect(row.private_key_sealed).toMatch(/^v1:/);
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY/);
    const opened = new SecretBox(t.secretKey).open(row.private_key_sealed, apnsPrivateKeyContext(row.id));
    expect(opened).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(t.logs.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('reads a PKCS#12 file with its password, and an encrypted PEM key', async () => {
    const cert = makePushCertificate({ notBefore: now(), days: 365 });
    const p12 = await t.gql(UPLOAD, { input: { certificate: cert.pkcs12('s3cret!'), password: 's3cret!', appleId: 'a@example.com' } });
    expect(p12.errors).toBeUndefined();
    expect(p12.data.uploadApnsCertificate.apnsCertificate.topic).toBe(cert.topic);
    await deleteAll();
    const pem = await t.gql(UPLOAD, {
      input: { certificate: cert.certificatePem, privateKey: cert.encryptedKeyPem('pw'), password: 'pw', appleId: 'a@example.com' },
    });
    expect(pem.errors).toBeUndefined();
    expect(pem.data.uploadApnsCertificate.apnsCertificate.serialNumber).toBe(cert.serialNumber);
  });

  it.each([
    ['a wrong PKCS#12 password', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.pkcs12('right'), password: 'wrong' }), 'APNS_CERTIFICATE_PASSWORD_INCORRECT', 'password'],
    ['a wrong key password', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.certificatePem, privateKey: c.encryptedKeyPem('right'), password: 'wrong' }), 'APNS_CERTIFICATE_PASSWORD_INCORRECT', 'password'],
    // Alone, a certificate must be the one Apple issued for depgate's pending request (apns-certificate-request.test.ts).
    ['no key (and no pending request)', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.certificatePem }), 'APNS_CERTIFICATE_REQUEST_MISMATCH', 'certificate'],
    ['a PKCS#12 file without its key', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.pkcs12WithoutKey('pw'), password: 'pw' }), 'APNS_CERTIFICATE_KEY_REQUIRED', 'certificate'],
    ['another key', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.certificatePem, privateKey: makePushCertificate({ notBefore: new Date(), days: 9 }).privateKeyPem }), 'APNS_CERTIFICATE_KEY_MISMATCH', 'privateKey'],
    ['garbage', () => ({ certificate: 'not a certificate!' }), 'APNS_CERTIFICATE_UNREADABLE', 'certificate'],
    ['a truncated PEM', (c: ReturnType<typeof makePushCertificate>) => ({ certificate: c.certificatePem.slice(0, 200), privateKey: c.privateKeyPem }), 'APNS_CERTIFICATE_UNREADABLE', 'certificate'],
  ])('refuses %s with a typed code and stores nothing', async (_what, input, code, field) => {
    const cert = makePushCertificate({ notBefore: now(), days: 365 });
    const res = await t.gql(UPLOAD, { input: { ...input(cert), appleId: 'a@example.com' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code, field });
    expect(await rows()).toEqual([]);
  });

  it('refuses a certificate that is not an MDM push certificate, and an expired one', async () => {
    const app = makePushCertificate({ notBefore: now(), days: 365, uid: 'com.example.app' });
    const notMdm = await t.gql(UPLOAD, { input: { certificate: app.certificatePem, privateKey: app.privateKeyPem, appleId: 'a@example.com' } });
    expect(notMdm.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_NOT_MDM', field: 'certificate' });
    const old = makePushCertificate({ notBefore: new Date(now().getTime() - 400 * DAY_MS), days: 365 });
    const expired = await t.gql(UPLOAD, { input: { certificate: old.certificatePem, privateKey: old.privateKeyPem, appleId: 'a@example.com' } });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_EXPIRED', expiredAt: old.notAfter.toISOString() });
    expect(await rows()).toEqual([]);
  });

  it('refuses a second certificate, a bad Apple ID, readers and scoped admins', async () => {
    const cert = makePushCertificate({ notBefore: now(), days: 365 });
    const input = { certificate: cert.certificatePem, privateKey: cert.privateKeyPem, appleId: 'a@example.com' };
    expect((await t.gql(UPLOAD, { input: { ...input, appleId: 'not an apple id' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'appleId' });
    const reader = await t.createKey('READER');
    expect((await t.gql(UPLOAD, { input }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "apns-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scopedAdmin = await t.createKey('ADMIN', [tag]);
    expect((await t.gql(UPLOAD, { input }, scopedAdmin)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await rows()).toEqual([]);
    await t.ok(UPLOAD, { input });
    const other = makePushCertificate({ notBefore: now(), days: 365 });
    const second = await t.gql(UPLOAD, { input: { certificate: other.certificatePem, privateKey: other.privateKeyPem, appleId: 'a@example.com' } });
    expect(second.errors?.[0].extensions?.code).toBe('APNS_CERTIFICATE_EXISTS');
    expect((await rows()).map((r) => r.topic)).toEqual([cert.topic]);
    // Readers see it (it names no token and holds no secret).
    expect((await t.ok(QUERY, {}, reader)).apnsCertificate.topic).toBe(cert.topic);
  });
});

describe('renewal', () => {
  afterEach(deleteAll);

  it('takes a renewal with the same topic and refuses another topic or Apple ID, changing nothing', async () => {
    const first = makePushCertificate({ notBefore: now(), days: 365 });
    const uploaded = (await t.ok(UPLOAD, { input: { certificate: first.certificatePem, privateKey: first.privateKeyPem, appleId: 'owner@example.com' } }))
      .uploadApnsCertificate.apnsCertificate;

    const other = makePushCertificate({ notBefore: now(), days: 365 });
    const refused = await t.gql(RENEW, { input: { certificate: other.certificatePem, privateKey: other.privateKeyPem } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_TOPIC_MISMATCH', topic: first.topic, uploadedTopic: other.topic });

    const renewal = makePushCertificate({ topic: first.topic, notBefore: now(), days: 400 });
    const wrongOwner = await t.gql(RENEW, { input: { certificate: renewal.certificatePem, privateKey: renewal.privateKeyPem, appleId: 'someone@example.com' } });
    expect(wrongOwner.errors?.[0].extensions).toMatchObject({ code: 'APNS_CERTIFICATE_APPLE_ID_MISMATCH', field: 'appleId' });
    expect((await t.ok(QUERY)).apnsCertificate).toEqual(uploaded);

    const renewed = (await t.ok(RENEW, { input: { certificate: renewal.certificatePem, privateKey: renewal.privateKeyPem, appleId: 'OWNER@example.com' } }))
      .renewApnsCertificate.apnsCertificate;
    expect(renewed).toMatchObject({ id: uploaded.id, topic: first.topic, serialNumber: renewal.serialNumber, notAfter: renewal.notAfter.toISOString(), appleId: 'owner@example.com' });
    expect(renewed.renewedAt).toBe(now().toISOString());
  });

  it('answers NOT_FOUND when there is nothing to renew or delete', async () => {
    const cert = makePushCertificate({ notBefore: now(), days: 365 });
    expect((await t.gql(RENEW, { input: { certificate: cert.certificatePem, privateKey: cert.privateKeyPem } })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(DELETE)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('expiry alerts and the metric', () => {
  it('raises APNS_CERT_EXPIRING on the thresholds and APNS_CERT_EXPIRED on the clock; a renewal clears them', async () => {
    const start = now();
    const cert = makePushCertificate({ notBefore: start, days: 40 });
    const uploaded = (await t.ok(UPLOAD, { input: { certificate: cert.certificatePem, privateKey: cert.privateKeyPem, appleId: 'owner@example.com' } }))
      .uploadApnsCertificate.apnsCertificate;
    expect((await alertsOf())).toEqual([]);

    const metrics = await (await fetch(new URL('/metrics', t.url))).text();
    expect(metrics).toContain(`depgate_apns_certificate_expiry_timestamp_seconds{topic="${cert.topic}"} ${cert.notAfter.getTime() / 1000}`);

    t.clock.set(new Date(start.getTime() + 11 * DAY_MS)); // 29 days left
    await t.app.services.alerts.evaluateAll();
    let alerts = (await alertsOf());
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'APNS_CERT_EXPIRING', severity: 'INFO', threshold: 30, active: true, apnsCertificate: { topic: cert.topic }, subject: null }),
    ]);
    expect(alerts[0].message).toContain('owner@example.com');
    expect((await t.ok(QUERY)).apnsCertificate.status).toBe('EXPIRING_SOON');

    // Scoped keys do not see the deployment-wide alert.
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "alerts-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('READER', [tag]);
    expect((await alertsOf(scoped))).toEqual([]);

    t.clock.set(new Date(cert.notAfter.getTime() + 1000));
    await t.app.services.alerts.evaluateAll();
    alerts = (await alertsOf());
    expect(alerts.filter((a: any) => a.active).map((a: any) => [a.kind, a.severity])).toEqual([['APNS_CERT_EXPIRED', 'CRITICAL']]);
    expect((await t.ok(QUERY)).apnsCertificate.status).toBe('EXPIRED');

    const renewal = makePushCertificate({ topic: cert.topic, notBefore: now(), days: 365 });
    await t.ok(RENEW, { input: { certificate: renewal.certificatePem, privateKey: renewal.privateKeyPem } });
    alerts = (await alertsOf());
    expect(alerts.filter((a: any) => a.active)).toEqual([]);

    // node() resolves it; deleting takes its alerts along.
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { ... on ApnsCertificate { topic } } }`, { id: uploaded.id });
    expect(node.node).toEqual({ topic: cert.topic });
    const deleted = (await t.ok(DELETE)).deleteApnsCertificate.deletedApnsCertificateId;
    expect(parseGlobalId(deleted)).toEqual({ type: 'ApnsCertificate', id: parseGlobalId(uploaded.id)!.id });
    expect((await alertsOf())).toEqual([]);
    expect((await t.ok(QUERY)).apnsCertificate).toBeNull();
  });
});
