/**
 * Bounded input (issue #9): every list the schema takes has a documented maximum, refused before
 * anything runs (typed code, `extensions.field` and `extensions.max`), on HTTP and WebSocket; serial
 * imports count rows and entries before classifying them and cap the rejected rows they return.
 */
import 'reflect-metadata';
import { AlertKind, AlertSeverity } from '../../src/alerts/alert.types';
import { SetupPane } from '../../src/profiles/setup-pane';
import { serials, uploadToken, type UploadedToken } from '../support/dep-fixtures';
import { startTestApp, wsRequest, type TestApp } from '../support/test-app';

let t: TestApp;
let token: UploadedToken;
let operator: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'bounded-input');
  operator = await t.createKey('OPERATOR');
});
afterAll(() => t.close());

const IMPORT = `mutation ($input: ImportDeviceSerialsInput!) {
  importDeviceSerials(input: $input) { accepted { serialNumber } rejected { line reason } rejectedCount } }`;
const ASSIGN = `mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`;

const deviceCount = async () => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices`))[0].n as number;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `U2NvcGVUYWc6${i}`);
const enumValues = (e: object) => Object.values(e).filter((v) => typeof v === 'string') as string[];

describe('serial imports from any OPERATOR key', () => {
  it('refuses a CSV of 1,000,000 short lines by counting its rows, and the server keeps answering', async () => {
    const csv = 'A\n'.repeat(1_000_000);
    const before = await deviceCount();
    const started = Date.now();
    const res = await t.gql(IMPORT, { input: { tokenId: token.id, csv } }, operator);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'csv', max: 10000 });
    expect(res.data).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await deviceCount()).toBe(before);
    expect((await t.ok('{ viewer { role } }', undefined, operator)).viewer.role).toBe('OPERATOR');
  });

  it('refuses 300,000 serialNumbers entries before classifying them (not only 10,001 valid ones)', async () => {
    const res = await t.gql(IMPORT, { input: { tokenId: token.id, serialNumbers: Array.from({ length: 300_000 }, () => 'x') } }, operator);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'serialNumbers', max: 10000 });
  });

  it('counts entries, duplicates included: 10,001 entries are refused even when fewer are distinct', async () => {
    const list = [...serials('DUPE', 10_000), 'DUPE00000000'];
    const res = await t.gql(IMPORT, { input: { tokenId: token.id, serialNumbers: list } }, operator);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'serialNumbers', max: 10000 });
  });

  it('a header and blank lines do not count: exactly 10,000 rows are read', async () => {
    const csv = `Serial Number\n\n${serials('ROWS', 10_000).join('\r\n')}\n\n`;
    const res = (await t.ok(IMPORT, { input: { tokenId: token.id, csv } }, operator)).importDeviceSerials;
    expect(res.accepted).toHaveLength(10_000);
    expect(res.rejectedCount).toBe(0);
    const over = await t.gql(IMPORT, { input: { tokenId: token.id, csv: `${csv}ROWS99999999\n` } }, operator);
    expect(over.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'csv', max: 10000 });
  });

  it('returns at most 1,000 rejected rows, with the total in rejectedCount', async () => {
    const csv = Array.from({ length: 10_000 }, (_, i) => `bad-${i}`).join('\n');
    const res = (await t.ok(IMPORT, { input: { tokenId: token.id, csv } }, operator)).importDeviceSerials;
    expect(res.accepted).toEqual([]);
    expect(res.rejectedCount).toBe(10_000);
    expect(res.rejected).toHaveLength(1000);
    expect(res.rejected[0]).toEqual({ line: 1, reason: 'INVALID_CHARACTERS' });
    expect(res.rejected[999].line).toBe(1000);
  });

  it('assignEnrollmentProfile refuses 300,000 entries before looking at the profile', async () => {
    const res = await t.gql(ASSIGN, { p: 'RW5yb2xsbWVudFByb2ZpbGU6eA', s: Array.from({ length: 300_000 }, () => 'x') }, operator);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'serialNumbers', max: 10000 });
  });
});

describe('every list argument and input field has a maximum, enforced before any work', () => {
  const kinds = enumValues(AlertKind);
  const severities = enumValues(AlertSeverity);
  const panes = enumValues(SetupPane);
  const cases: [string, string, Record<string, unknown>, string, number][] = [
    ['alerts(filter: {kinds})', `query ($f: AlertFilter) { alerts(filter: $f) { totalCount } }`, { f: { kinds: [...kinds, kinds[0]] } }, 'kinds', kinds.length],
    ['alerts(filter: {severities})', `query ($f: AlertFilter) { alerts(filter: $f) { totalCount } }`, { f: { severities: [...severities, 'INFO'] } }, 'severities', severities.length],
    ['createApiKey scopeTagIds', `mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'x', role: 'READER', scopeTagIds: ids(101) } }, 'scopeTagIds', 100],
    [
      'uploadDepToken scopeTagIds',
      `mutation ($i: UploadDepTokenInput!) { uploadDepToken(input: $i) { token { id } } }`,
      { i: { keyPairId: 'x', tokenFile: 'x', appleId: 'a@example.com', scopeTagIds: ids(101) } },
      'scopeTagIds',
      100,
    ],
    ['updateDepToken scopeTagIds', `mutation ($i: UpdateDepTokenInput!) { updateDepToken(input: $i) { token { id } } }`, { i: { tokenId: 'x', scopeTagIds: ids(101) } }, 'scopeTagIds', 100],
    ['uploadVppToken scopeTagIds', `mutation ($i: UploadVppTokenInput!) { uploadVppToken(input: $i) { vppToken { id } } }`, { i: { tokenFile: 'x', scopeTagIds: ids(101) } }, 'scopeTagIds', 100],
    ['updateVppToken scopeTagIds', `mutation ($i: UpdateVppTokenInput!) { updateVppToken(input: $i) { vppToken { id } } }`, { i: { vppTokenId: 'x', scopeTagIds: ids(101) } }, 'scopeTagIds', 100],
    [
      'createEnrollmentProfile appleConfiguratorCertificateIds',
      `mutation ($i: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $i) { profile { id } } }`,
      { i: { tokenId: 'x', name: 'x', appleConfiguratorCertificateIds: ids(101) } },
      'appleConfiguratorCertificateIds',
      100,
    ],
    [
      'updateEnrollmentProfile appleConfiguratorCertificateIds',
      `mutation ($i: UpdateEnrollmentProfileInput!) { updateEnrollmentProfile(input: $i) { profile { id } } }`,
      { i: { profileId: 'x', appleConfiguratorCertificateIds: ids(101) } },
      'appleConfiguratorCertificateIds',
      100,
    ],
    [
      'createEnrollmentProfile hiddenSetupPanes',
      `mutation ($i: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $i) { profile { id } } }`,
      { i: { tokenId: 'x', name: 'x', hiddenSetupPanes: [...panes, panes[0]] } },
      'hiddenSetupPanes',
      panes.length,
    ],
    [
      'updateEnrollmentProfile hiddenSetupPanes',
      `mutation ($i: UpdateEnrollmentProfileInput!) { updateEnrollmentProfile(input: $i) { profile { id } } }`,
      { i: { profileId: 'x', hiddenSetupPanes: [...panes, panes[0]] } },
      'hiddenSetupPanes',
      panes.length,
    ],
  ];

  it.each(cases)('%s', async (_label, query, variables, field, max) => {
    const res = await t.gql(query, variables);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_ITEMS', field, max });
    expect(res.errors?.[0].message).toContain(String(max));
  });

  it('nodes(ids) keeps the code it always had (BAD_USER_INPUT), now with max, before any node loads', async () => {
    const res = await t.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids(101) });
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids', max: 100 });
  });

  it('accepts a list at its maximum', async () => {
    const res = await t.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids(100) });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toHaveLength(100);
    const all = await t.gql(`query ($f: AlertFilter) { alerts(filter: $f) { totalCount } }`, { f: { kinds, severities } });
    expect(all.errors).toBeUndefined();
  });

  it('counts lists written in the document and variables inside literal inputs', async () => {
    const literal = `{ nodes(ids: [${ids(101).map((id) => JSON.stringify(id)).join(' ')}]) { id } }`;
    expect((await t.gql(literal)).errors?.[0].extensions).toMatchObject({ field: 'ids', max: 100 });
    const nested = `query ($k: [AlertKind!]) { alerts(filter: {kinds: $k}) { totalCount } }`;
    expect((await t.gql(nested, { k: [...kinds, kinds[0]] })).errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_ITEMS', field: 'kinds' });
    const inFragment = `query ($ids: [ID!]!) { ...F } fragment F on Query { nodes(ids: $ids) { id } }`;
    expect((await t.gql(inFragment, { ids: ids(101) })).errors?.[0].extensions).toMatchObject({ field: 'ids', max: 100 });
    const literalInput = `mutation { createApiKey(input: {name: "x", role: READER, scopeTagIds: [${ids(101).map((id) => JSON.stringify(id)).join(' ')}]}) { secret } }`;
    expect((await t.gql(literalInput)).errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_ITEMS', field: 'scopeTagIds', max: 100 });
  });

  it('applies on the WebSocket transport too (alertRaised kinds, nodes)', async () => {
    await expect(wsRequest(t.ws(), `subscription ($k: [AlertKind!]) { alertRaised(kinds: $k) { id } }`, { k: [...kinds, kinds[0]] })).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_ITEMS', field: 'kinds', max: kinds.length }) }),
    ]);
    await expect(wsRequest(t.ws(), `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids(101) })).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'ids', max: 100 }) }),
    ]);
  });
});
