/**
 * `alertRaised` over graphql-ws: delivery as alerts are raised, the kinds filter, and scope-tag
 * filtering (graphql-ws runs no Apollo plugins: the resolver's filter applies the tags, as they
 * are at the time of each event); deployment-wide alerts reach only keys without scope tags.
 */
import type { Client } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../../src/clock';
import { makePushCertificate } from '../../support/apns-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { setLicences, uploadDep, uploadVpp, REFRESH_VPP } from '../../support/vpp-fixtures';

let t: TestApp;
const tags: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  for (const name of ['A', 'B']) {
    tags[name] = (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: `${name}-${randomUUID().slice(0, 4)}` }))
      .createScopeTag.scopeTag.id;
  }
});
afterAll(() => t.close());

interface Received {
  events: any[];
  errors: unknown[];
  stop: () => void;
}

function listen(client: Client, kinds?: string[]): Received {
  const received: Received = { events: [], errors: [], stop: () => undefined };
  received.stop = client.subscribe(
    {
      query: `subscription ($kinds: [AlertKind!]) { alertRaised(kinds: $kinds) {
        id kind severity message raisedAt subjectName subject { __typename ... on DepToken { id name } ... on VppToken { id name } } } }`,
      variables: { kinds },
    },
    { next: (r: any) => (r.errors ? received.errors.push(r.errors) : received.events.push(r.data.alertRaised)), error: (e) => received.errors.push(e), complete: () => undefined },
  );
  return received;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await pause(25);
}

it('delivers each alert to every key that may see its token, and only to those', async () => {
  const admin = listen(t.ws());
  const readerA = listen(t.ws(await t.createKey('READER', [tags.A])));
  const readerB = listen(t.ws(await t.createKey('READER', [tags.B])));
  const licencesOnly = listen(t.ws(), ['VPP_LICENSES_LOW', 'VPP_LICENSES_EXHAUSTED']);
  await pause(500);

  // Each upload is evaluated at once: 5 days left raises DEP_TOKEN_EXPIRING (7 days).
  const depA = await uploadDep(t, { expiresInDays: 5, scopeTagIds: [tags.A], name: 'Dep A' });
  const depB = await uploadDep(t, { expiresInDays: 5, scopeTagIds: [tags.B], name: 'Dep B' });
  const vppA = await uploadVpp(t, { expiresInDays: 200, total: 100, assigned: 95, scopeTagIds: [tags.A], name: 'Vpp A' });
  const vppUntagged = await uploadVpp(t, { expiresInDays: 10, name: 'Vpp untagged' });

  await until(() => admin.events.length >= 4 && licencesOnly.events.length >= 1);
  await pause(300);
  const summary = (r: Received) => r.events.map((e) => `${e.subject.name}:${e.kind}`).sort();
  expect(admin.errors).toEqual([]);
  expect(summary(admin)).toEqual(['Dep A:DEP_TOKEN_EXPIRING', 'Dep B:DEP_TOKEN_EXPIRING', 'Vpp A:VPP_LICENSES_LOW', 'Vpp untagged:VPP_TOKEN_EXPIRING']);
  expect(summary(readerA)).toEqual(['Dep A:DEP_TOKEN_EXPIRING', 'Vpp A:VPP_LICENSES_LOW']);
  expect(summary(readerB)).toEqual(['Dep B:DEP_TOKEN_EXPIRING']);
  expect(summary(licencesOnly)).toEqual(['Vpp A:VPP_LICENSES_LOW']);

  const depEvent = admin.events.find((e) => e.subject.name === 'Dep A');
  expect(depEvent).toMatchObject({ severity: 'WARNING', subjectName: 'Dep A', subject: { __typename: 'DepToken', id: depA.token.id } });
  expect(depEvent.message).toMatch(/expires within 7 days/);
  expect(admin.events.find((e) => e.subject.name === 'Vpp A').subject).toEqual({ __typename: 'VppToken', id: vppA.vppToken.id, name: 'Vpp A' });

  // Moving a token to another tag moves its future alerts with it.
  await t.ok(`mutation ($id: ID!, $t: [ID!]!) { updateVppToken(input: {vppTokenId: $id, scopeTagIds: $t}) { vppToken { id } } }`, {
    id: vppA.vppToken.id,
    t: [tags.B],
  });
  await setLicences(t, vppA.location.uId, 100, 100);
  await t.ok(REFRESH_VPP, { id: vppA.vppToken.id });
  await until(() => readerB.events.length >= 2);
  await pause(300);
  expect(summary(readerB)).toEqual(['Dep B:DEP_TOKEN_EXPIRING', 'Vpp A:VPP_LICENSES_EXHAUSTED']);
  expect(summary(readerA)).toEqual(['Dep A:DEP_TOKEN_EXPIRING', 'Vpp A:VPP_LICENSES_LOW']);
  expect(summary(licencesOnly)).toEqual(['Vpp A:VPP_LICENSES_EXHAUSTED', 'Vpp A:VPP_LICENSES_LOW']);

  // The scheduled pass announces time-based crossings the same way.
  t.clock.advance(5 * DAY_MS);
  await t.app.services.alerts.evaluateAll();
  await until(() => readerB.events.some((e) => e.kind === 'DEP_TOKEN_EXPIRED'));
  expect(readerB.events.filter((e) => e.kind === 'DEP_TOKEN_EXPIRED').map((e) => e.subject.id)).toEqual([depB.token.id]);
  expect(readerA.events.filter((e) => e.kind === 'DEP_TOKEN_EXPIRED').map((e) => e.subject.id)).toEqual([depA.token.id]);
  expect(vppUntagged.vppToken.id).toBeTruthy();

  for (const r of [admin, readerA, readerB, licencesOnly]) r.stop();
});

it('delivers alerts about the whole deployment (the push certificate) only to keys without scope tags', async () => {
  const admin = listen(t.ws());
  const readerA = listen(t.ws(await t.createKey('READER', [tags.A])));
  await pause(500);

  // The upload is evaluated at once: 20 days left raises APNS_CERT_EXPIRING (30 days).
  const cert = makePushCertificate({ notBefore: new Date(t.clock.now().getTime() - DAY_MS), days: 21 });
  await t.ok(`mutation ($input: UploadApnsCertificateInput!) { uploadApnsCertificate(input: $input) { apnsCertificate { id } } }`, {
    input: { certificate: cert.certificatePem, privateKey: cert.privateKeyPem, appleId: 'owner@example.com' },
  });
  await until(() => admin.events.some((e) => e.kind === 'APNS_CERT_EXPIRING'));
  await pause(300);
  expect(admin.errors).toEqual([]);
  expect(admin.events.filter((e) => e.kind === 'APNS_CERT_EXPIRING')).toEqual([
    expect.objectContaining({ subjectName: `Apple MDM push certificate ${cert.topic}`, subject: null }),
  ]);
  expect(readerA.errors).toEqual([]);
  expect(readerA.events).toEqual([]);
  for (const r of [admin, readerA]) r.stop();
});

it('is refused without an API key', async () => {
  const anonymous = listen(t.ws(null));
  await until(() => anonymous.errors.length > 0);
  expect(anonymous.errors.length).toBeGreaterThan(0);
  expect(anonymous.events).toEqual([]);
});
