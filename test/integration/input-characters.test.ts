/**
 * The C0 input guard (issue #9): a NUL or other control character in any string argument was a
 * masked INTERNAL_SERVER_ERROR (PostgreSQL 22021), and for createEnrollmentProfile only after the
 * profile was defined at Apple (an orphan there, none here). Now every string, inline or in the
 * variables, nested objects and lists included, on HTTP and WebSocket, is checked before any
 * resolver runs: INVALID_CHARACTERS with the field and its path, and nothing changes here or at Apple.
 */
import 'reflect-metadata';
import { createDevices, serials, simDevices, simProfiles, uploadToken, type UploadedToken } from '../support/dep-fixtures';
import { startTestApp, wsRequest, type TestApp } from '../support/test-app';

let t: TestApp;
let token: UploadedToken;
let profileId: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'input-characters');
  await createDevices(t, token, serials('CHAR', 3));
  profileId = (await t.ok(`mutation ($i: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $i) { profile { id } } }`, { i: { tokenId: token.id, name: 'Clean' } }))
    .createEnrollmentProfile.profile.id;
});
afterAll(() => t.close());

const CREATE = `mutation ($i: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $i) { profile { id name } } }`;
const count = async (table: string) => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

/** What a refusal must leave alone: depgate's profiles and the simulator's profiles and assignments. */
async function snapshot() {
  return {
    profiles: await count('enrollment_profiles'),
    atApple: (await simProfiles(t, token)).length,
    appleDevices: JSON.stringify([...(await simDevices(t, token)).entries()]),
  };
}

type Transport = 'HTTP' | 'WebSocket';
async function send(transport: Transport, query: string, variables?: Record<string, unknown>) {
  if (transport === 'HTTP') return t.gql(query, variables);
  const client = t.ws();
  try {
    return { status: undefined, ...(await wsRequest(client, query, variables)) };
  } catch (errors) {
    // graphql-ws reports an operation refused in onSubscribe as an error of the subscription.
    if (Array.isArray(errors)) return { status: undefined, data: undefined, errors: errors as any[] };
    throw errors;
  } finally {
    await client.dispose();
  }
}

/** A GraphQL string literal holding `text`, with every non-printable character escaped (\uXXXX). */
const literal = (text: string) => JSON.stringify(text).replace(/[\u0000-\u001f\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe.each<Transport>(['HTTP', 'WebSocket'])('over %s', (transport) => {
  it('refuses a NUL in createEnrollmentProfile.name from the variables, before Apple is called', async () => {
    const before = await snapshot();
    const res = await send(transport, CREATE, { i: { tokenId: token.id, name: 'Lab\u0000iPads' } });
    if (transport === 'HTTP') expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'name', path: ['input', 'name'], character: 'U+0000' });
    expect(res.data ?? null).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a NUL written inline in the document', async () => {
    const before = await snapshot();
    const res = await send(transport, `mutation { createEnrollmentProfile(input: {tokenId: ${JSON.stringify(token.id)}, name: ${literal('Lab\u0000')}}) { profile { id } } }`);
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'name', path: ['input', 'name'] });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a NUL in a device search (nested in the filter), inline and from the variables', async () => {
    const inline = await send(transport, `{ devices(filter: {search: ${literal('CHA\u0000R')}}) { totalCount } }`);
    expect(inline.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'search', path: ['filter', 'search'] });
    const variables = await send(transport, `query ($f: DeviceFilter) { devices(filter: $f) { totalCount } }`, { f: { search: 'CHAR\u0000' } });
    expect(variables.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'search', path: ['filter', 'search'] });
  });

  it('refuses a NUL in one entry of a list (serialNumbers), naming its index; no device is assigned at Apple', async () => {
    const before = await snapshot();
    const [first, second] = serials('CHAR', 2);
    const query = `mutation ($i: AssignEnrollmentProfileInput!) { assignEnrollmentProfile(input: $i) { results { serialNumber status } } }`;
    const res = await send(transport, query, { i: { profileId, serialNumbers: [first, `${second}\u0000`] } });
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'serialNumbers', path: ['input', 'serialNumbers', 1] });
    const inline = await send(transport, `mutation { assignEnrollmentProfile(input: {profileId: ${JSON.stringify(profileId)}, serialNumbers: [${JSON.stringify(first)}, ${literal('\u0007')}]}) { results { status } } }`);
    expect(inline.errors![0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'serialNumbers', path: ['input', 'serialNumbers', 1], character: 'U+0007' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('which characters, per field kind', () => {
  it('refuses every C0 character in a name, tab and line breaks included, and an unpaired surrogate', async () => {
    const before = await snapshot();
    for (const bad of ['\u0001', '\t', '\n', '\r', '\u001b[31m', '\u001f', '\ud800', 'x\udc00']) {
      const res = await t.gql(CREATE, { i: { tokenId: token.id, name: `Lab${bad}` } });
      expect(res.errors?.[0].extensions?.code).toBe('INVALID_CHARACTERS');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('accepts unicode that is not a control character: accents, emoji (surrogate pairs), right-to-left text', async () => {
    const name = 'Café 📱 مختبر';
    const res = await t.ok(CREATE, { i: { tokenId: token.id, name } });
    expect(res.createEnrollmentProfile.profile.name).toBe(name);
  });

  it('accepts tab and line breaks in a description (a note), and still refuses NUL there', async () => {
    const query = `mutation ($i: CreateScopeTagInput!) { createScopeTag(input: $i) { scopeTag { description } } }`;
    const ok = await t.ok(query, { i: { name: 'multiline', description: 'line one\r\nline\ttwo\n' } });
    expect(ok.createScopeTag.scopeTag.description).toBe('line one\r\nline\ttwo\n');
    const before = await count('scope_tags');
    const refused = await t.gql(query, { i: { name: 'nul-note', description: 'a\u0000b' } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'description' });
    const newline = await t.gql(query, { i: { name: 'two\nlines', description: 'x' } });
    expect(newline.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'name' });
    expect(await count('scope_tags')).toBe(before);
  });

  it('reads a CSV with CRLF rows, and refuses one with other control characters as the binary file it is (CSV_INVALID)', async () => {
    const query = `mutation ($i: ImportDeviceSerialsInput!) { importDeviceSerials(input: $i) { accepted { serialNumber } } }`;
    const [serial] = serials('CSVCR', 1);
    const ok = await t.ok(query, { i: { tokenId: token.id, csv: `serial\r\n${serial}\r\n` } });
    expect(ok.importDeviceSerials.accepted).toEqual([{ serialNumber: serial }]);
    const devices = await count('devices');
    const binary = await t.gql(query, { i: { tokenId: token.id, csv: `${serials('CSVBIN', 1)[0]}\u0001\n` } });
    expect(binary.status).toBe(400);
    expect(binary.errors?.[0].extensions).toMatchObject({ code: 'CSV_INVALID', field: 'csv', character: 'U+0001' });
    expect(await count('devices')).toBe(devices);
  });
});
