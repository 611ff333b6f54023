/**
 * Devices through GraphQL: the filtered listing (keyset pages, stable order, totalCount only when
 * asked, a fixed number of SQL statements per page whatever its size), serial import (lists and
 * CSV edge cases), deleting a device (tombstone), and scope-tag visibility.
 */
import { randomUUID } from 'node:crypto';
import { toGlobalId } from '../../../src/graphql/global-id';
import { countStatements, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const IMPORT = `mutation ($input: ImportDeviceSerialsInput!) {
  importDeviceSerials(input: $input) {
    accepted { id serialNumber source requestedProfile { id } profile { id } }
    rejected { line value reason message } } }`;
const DELETE_DEVICE = `mutation ($id: ID!) { deleteDevice(input: {deviceId: $id}) { deletedDeviceId } }`;

async function createProfile(token: UploadedToken, name = `P ${randomUUID().slice(0, 6)}`): Promise<string> {
  return (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name },
    })
  ).createEnrollmentProfile.profile.id;
}

async function deviceId(serial: string): Promise<string> {
  const [{ id }] = await t.app.dataSource.query(`SELECT id FROM devices WHERE serial_number = $1`, [serial]);
  return toGlobalId('Device', id);
}

const TABLES = /\b(devices|enrollment_profiles|dep_tokens)\b/;

describe('devices(filter, first, after)', () => {
  let token: UploadedToken;
  let other: UploadedToken;
  let profile: string;
  const iphones = serials('LSTA', 30);
  const ipads = serials('LSTB', 5);
  beforeAll(async () => {
    token = await uploadToken(t, 'list-token');
    other = await uploadToken(t, 'list-other');
    profile = await createProfile(token, 'Listing profile');
    await createDevices(t, token, iphones, { model: 'iPhone 15', description: 'IPHONE 15 BLACK 128GB' });
    await createDevices(t, other, ipads, { model: 'iPad Air (5th generation)', description: 'IPAD AIR 50% OFF', deviceFamily: 'iPad' });
    await t.ok(`mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`, {
      p: profile,
      s: iphones.slice(0, 10),
    });
  });

  const page = (variables: Record<string, unknown>, selection = 'totalCount') =>
    t.ok(
      `query ($filter: DeviceFilter, $first: Int, $after: String) {
        devices(filter: $filter, first: $first, after: $after) { ${selection} pageInfo { hasNextPage endCursor } edges { cursor node { serialNumber } } } }`,
      variables,
    );
  const listed = (data: any) => data.devices.edges.map((e: any) => e.node.serialNumber);

  it('walks every device in serial-number order, page by page, without repeats or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await page({ first: 7, after, filter: { tokenId: token.id } });
      seen.push(...listed(data));
      expect(data.devices.totalCount).toBe(30);
      if (!data.devices.pageInfo.hasNextPage) break;
      after = data.devices.pageInfo.endCursor;
    }
    expect(seen).toEqual([...iphones].sort());
  });

  it.each([
    ['profileId', () => ({ profileId: profile }), () => iphones.slice(0, 10)],
    ['profileStatus', () => ({ tokenId: token.id, profileStatus: 'EMPTY' }), () => iphones.slice(10)],
    ['assignmentResult', () => ({ assignmentResult: 'SUCCESS' }), () => iphones.slice(0, 10)],
    ['source', () => ({ source: 'SYNC', tokenId: other.id }), () => ipads],
    ['serialNumberPrefix (any case)', () => ({ serialNumberPrefix: 'lstb' }), () => ipads],
    ['search in the model', () => ({ search: 'air (5th' }), () => ipads],
    ['search in the description, % taken literally', () => ({ search: '50%' }), () => ipads],
    ['search in the serial', () => ({ search: iphones[3].slice(3).toLowerCase() }), () => [iphones[3]]],
  ])('filters by %s', async (_label, filter, expected) => {
    const data = await page({ first: 100, filter: filter() });
    expect(listed(data)).toEqual([...expected()].sort());
    expect(data.devices.totalCount).toBe(expected().length);
  });

  it('counts only when totalCount is selected', async () => {
    // The count of devices, not any count( the process sends meanwhile (the job runner's readiness check counts due jobs).
    const DEVICE_COUNT = /count\(.*\bfrom "devices"/is;
    const without = await countStatements(() => page({ first: 5 }, ''), DEVICE_COUNT);
    expect(without.statements).toHaveLength(0);
    const withCount = await countStatements(() => page({ first: 5 }), DEVICE_COUNT);
    expect(withCount.statements).toHaveLength(1);
  });

  it('refuses a foreign cursor and a page over 500', async () => {
    expect((await t.gql(`{ devices(after: "bm9wZQ") { totalCount } }`)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(`{ devices(first: 501) { totalCount } }`)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('costs the same SQL statements for 5 or 35 devices: one per page and one per nested field', async () => {
    const query = `query ($first: Int) { devices(first: $first) { edges { node {
      serialNumber enrollmentProfileName profile { name } requestedProfile { name } token { name scopeTags { name } } } } } }`;
    const small = await countStatements(() => t.ok(query, { first: 5 }), TABLES);
    const large = await countStatements(() => t.ok(query, { first: 35 }), TABLES);
    expect((large.result as any).devices.edges).toHaveLength(35);
    expect((large.result as any).devices.edges[0].node).toMatchObject({ enrollmentProfileName: 'Listing profile', token: { name: 'list-token' } });
    // The page, its profiles joined in (profile, requestedProfile and enrollmentProfileName ask
    // plain fields), and the tokens in one batch (scopeTags is a field a join does not answer).
    expect(large.statements).toHaveLength(2);
    expect(large.statements[0]).toMatch(/LEFT JOIN "enrollment_profiles"/);
    expect(large.statements[0]).not.toMatch(/"dep_tokens"/);
    expect(small.statements).toHaveLength(large.statements.length);
  });

  it('reads the token and profiles a page names through fragments and aliases alike, and reads none it does not name', async () => {
    const plain = `{ devices(first: 12) { edges { node { serialNumber enrollmentProfileName profile { name } token { name } } } } }`;
    const fragments = `{ devices(first: 12) { edges { node { ...Names } } } }
      fragment Names on Device { serialNumber ... on Device { enrollmentProfileName } ...Relations }
      fragment Relations on Device { profile { name } owner: token { name } }`;
    const direct = await countStatements(() => t.ok(plain), TABLES);
    const spread = await countStatements(() => t.ok(fragments), TABLES);
    const nodes = (r: unknown) => (r as any).devices.edges.map((e: any) => e.node);
    expect(nodes(spread.result)).toEqual(nodes(direct.result).map(({ token, ...rest }: any) => ({ ...rest, owner: token })));
    expect(nodes(direct.result)[0]).toMatchObject({ enrollmentProfileName: 'Listing profile', profile: { name: 'Listing profile' }, token: { name: 'list-token' } });
    expect(nodes(direct.result).some((n: any) => n.profile === null && n.enrollmentProfileName === null)).toBe(true);
    // Plain fields of the token and the profile: joined into the page's own statement.
    expect(direct.statements).toHaveLength(1);
    expect(spread.statements).toHaveLength(1);
    // Neither token nor profile selected: the page alone.
    expect((await countStatements(() => t.ok(`{ devices(first: 12) { edges { node { serialNumber model } } } }`), TABLES)).statements).toHaveLength(1);
  });

  it('nested lists under a page of tokens cost one statement per field, whatever the number of tokens', async () => {
    // Three queries, each counting the statements of one nested path.
    const tokensQuery = `{ depTokens(first: 50) { edges { node { name defaultProfile { name }
      profiles(first: 5) { totalCount edges { node { name isDefault deviceCount } } } } } } }`;
    const tokenDevicesQuery = `{ depTokens(first: 50) { edges { node { name
      devices(first: 3, filter: {profileStatus: EMPTY}) { totalCount edges { node { serialNumber profile { name } } } } } } } }`;
    // A page of profiles through nodes(ids): the same loader reached from another parent list.
    const profileDevicesQuery = `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on EnrollmentProfile {
      devices(first: 3) { totalCount edges { node { serialNumber } } } } } }`;
    const tokens = await countStatements(() => t.ok(tokensQuery), TABLES);
    const tokenDevices = await countStatements(() => t.ok(tokenDevicesQuery), TABLES);
    const byName = (result: any) => new Map<string, any>(result.depTokens.edges.map((e: any) => [e.node.name, e.node]));
    expect(byName(tokenDevices.result).get('list-token').devices).toMatchObject({
      totalCount: 20,
      edges: iphones.slice(10, 13).map((s) => ({ node: { serialNumber: s, profile: null } })),
    });
    expect(byName(tokenDevices.result).get('list-other').devices.totalCount).toBe(5);
    expect(byName(tokens.result).get('list-token').profiles).toMatchObject({
      totalCount: 1,
      edges: [{ node: { name: 'Listing profile', isDefault: false, deviceCount: 10 } }],
    });
    // tokens page, defaultProfile, profiles page, its count, isDefault, deviceCount
    expect(tokens.statements).toHaveLength(6);
    // tokens page, devices page, its count (device.profile is null on these: no query)
    expect(tokenDevices.statements).toHaveLength(3);
    const allProfiles = async () =>
      (await t.app.dataSource.query(`SELECT id FROM enrollment_profiles`)).map((r: { id: string }) => toGlobalId('EnrollmentProfile', r.id));
    const profileIds = await allProfiles();
    const profileDevices = await countStatements(() => t.ok(profileDevicesQuery, { ids: profileIds }), TABLES);
    expect((profileDevices.result as any).nodes).toContainEqual({
      devices: { totalCount: 10, edges: [...iphones.slice(0, 3)].map((s) => ({ node: { serialNumber: s } })) },
    });
    // profiles by id, devices page, devices count
    expect(profileDevices.statements).toHaveLength(3);

    // One more token with a profile and devices: the same statements.
    const third = await uploadToken(t, 'list-third');
    await createProfile(third);
    await createDevices(t, third, serials('LSTC', 4));
    expect((await countStatements(() => t.ok(tokensQuery), TABLES)).statements).toHaveLength(6);
    expect((await countStatements(() => t.ok(tokenDevicesQuery), TABLES)).statements).toHaveLength(3);
    const ids = await allProfiles();
    expect(ids.length).toBeGreaterThan(1);
    expect((await countStatements(() => t.ok(profileDevicesQuery, { ids }), TABLES)).statements).toHaveLength(3);
  });
});

describe('importDeviceSerials', () => {
  let token: UploadedToken;
  let profile: string;
  beforeAll(async () => {
    token = await uploadToken(t, 'import-token');
    profile = await createProfile(token, 'Imported profile');
  });
  const run = (input: Record<string, unknown>) => t.gql(IMPORT, { input: { tokenId: token.id, ...input } });

  it('keeps well-formed serials as IMPORT devices with the requested profile, and rejects the rest with reasons', async () => {
    const res = await run({ serialNumbers: ['c02imp000001', 'C02IMP000002', 'C02IMP000001', 'TOO-SHORT', 'C02IMP00000X9Y', '', 'F9FXK1ABCD'], profileId: profile });
    expect(res.errors).toBeUndefined();
    const { accepted, rejected } = res.data.importDeviceSerials;
    expect(accepted.map((d: any) => [d.serialNumber, d.source, d.requestedProfile?.id, d.profile])).toEqual([
      ['C02IMP000001', 'IMPORT', profile, null],
      ['C02IMP000002', 'IMPORT', profile, null],
      ['F9FXK1ABCD', 'IMPORT', profile, null],
    ]);
    expect(rejected.map((r: any) => [r.line, r.value, r.reason])).toEqual([
      [3, 'C02IMP000001', 'DUPLICATE'],
      [4, 'TOO-SHORT', 'INVALID_CHARACTERS'],
      [5, 'C02IMP00000X9Y', 'INVALID_LENGTH'],
      [6, '', 'EMPTY'],
    ]);
    expect(rejected[0].message).toMatch(/position 1/);
  });

  it.each([
    ['a header row', 'Serial Number,Details\nC02CSV000001,Sales\nC02CSV000002,Ops\n', ['C02CSV000001', 'C02CSV000002'], []],
    ['no header', 'C02CSV000003\nC02CSV000004\n', ['C02CSV000003', 'C02CSV000004'], []],
    ['the serial in a later column, semicolons, CRLF, a BOM and blank lines', '\uFEFFAsset;serial_number\r\n\r\nA-1;C02CSV000005\r\nA-2;c02csv000006\r\n\r\n', ['C02CSV000005', 'C02CSV000006'], []],
    ['quoted fields with commas and quotes', '"C02CSV000007","Front desk, ""lobby"""\n"C02CSV000008",x\n', ['C02CSV000007', 'C02CSV000008'], []],
    ['tabs', 'serial\tnote\nC02CSV000009\tA\n', ['C02CSV000009'], []],
    [
      'bad rows, an unclosed quote and duplicates',
      'Serial Number,Details\nC02CSV00001A,ok\n"C02CSV00001B,unclosed\n,empty serial\nNOPE,x\nc02csv00001a,again\n',
      ['C02CSV00001A'],
      [
        [3, 'MALFORMED_ROW'],
        [4, 'EMPTY'],
        [5, 'INVALID_LENGTH'],
        [6, 'DUPLICATE'],
      ],
    ],
  ])('reads CSV with %s', async (_label, csv, expected, expectedRejected) => {
    const res = await run({ csv });
    expect(res.errors).toBeUndefined();
    expect(res.data.importDeviceSerials.accepted.map((d: any) => d.serialNumber)).toEqual(expected);
    expect(res.data.importDeviceSerials.rejected.map((r: any) => [r.line, r.reason])).toEqual(expectedRejected);
  });

  it('rejects devices a sync brought and devices deleted here; importing again is accepted and keeps the request', async () => {
    const [synced, deleted] = serials('IMPS', 2);
    await createDevices(t, token, [synced, deleted]);
    await t.ok(DELETE_DEVICE, { id: await deviceId(deleted) });
    const first = (await run({ serialNumbers: ['C02AGAIN0001'], profileId: profile })).data.importDeviceSerials;
    const res = (await run({ serialNumbers: [synced, deleted, 'C02AGAIN0001'] })).data.importDeviceSerials;
    expect(res.rejected.map((r: any) => [r.value, r.reason])).toEqual([
      [synced, 'ALREADY_SYNCED'],
      [deleted, 'DELETED_IN_DEPGATE'],
    ]);
    expect(res.accepted).toEqual([{ ...first.accepted[0] }]);
  });

  it('brings back a device Apple had removed from the server as an imported one', async () => {
    const [gone] = serials('IMPG', 1);
    await createDevices(t, token, [gone], { depgateOnly: true });
    await t.app.dataSource.query(`UPDATE devices SET deleted_at = now(), deleted_by = 'APPLE' WHERE serial_number = $1`, [gone]);
    const res = (await run({ serialNumbers: [gone] })).data.importDeviceSerials;
    expect(res.accepted.map((d: any) => [d.serialNumber, d.source])).toEqual([[gone, 'IMPORT']]);
  });

  it('assigns the requested profile when the device reaches the MDM server and a sync hands it over', async () => {
    const serial = 'C02LATER0001';
    await run({ serialNumbers: [serial], profileId: profile });
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ serial_number: serial }] });
    expect(await t.app.services.assignments.autoAssign(token.rowId, [serial])).toEqual({ assigned: 1, failed: 0, skipped: 0 });
    const data = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t, serialNumberPrefix: "C02LATER"}) { edges { node { profile { id } requestedProfile { id } profileStatus } } } }`, {
      t: token.id,
    });
    expect(data.devices.edges[0].node).toEqual({ profile: { id: profile }, requestedProfile: null, profileStatus: 'ASSIGNED' });
  });

  it.each([
    ['neither serialNumbers nor csv', {}, 'SERIAL_NUMBERS_REQUIRED'],
    ['both serialNumbers and csv', { serialNumbers: ['C02BOTH00001'], csv: 'C02BOTH00002' }, 'BAD_USER_INPUT'],
    ['an empty CSV', { csv: '\n\n' }, 'SERIAL_NUMBERS_REQUIRED'],
    ['a binary file', { csv: 'C02BIN000001\u0000\u0001' }, 'CSV_INVALID'],
    ['more than 10,000 serials', { serialNumbers: serials('BIG', 10_001) }, 'TOO_MANY_SERIAL_NUMBERS'],
  ])('refuses %s', async (_label, input, code) => {
    const before = (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices`))[0].n;
    expect((await run(input)).errors?.[0].extensions?.code).toBe(code);
    expect((await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices`))[0].n).toBe(before);
  });

  it("refuses another token's profile with PROFILE_TOKEN_MISMATCH, and needs OPERATOR", async () => {
    const other = await uploadToken(t, 'import-other');
    const otherProfile = await createProfile(other);
    expect((await run({ serialNumbers: ['C02MISM00001'], profileId: otherProfile })).errors?.[0].extensions?.code).toBe('PROFILE_TOKEN_MISMATCH');
    const reader = await t.createKey('READER');
    expect((await t.gql(IMPORT, { input: { tokenId: token.id, serialNumbers: ['C02READ00001'] } }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('deleteDevice', () => {
  it('leaves a tombstone: hidden from lists unless includeDeleted, kept for the sync engine; the token can go once only tombstones remain', async () => {
    const token = await uploadToken(t, 'delete-token');
    const [a, b] = serials('DELD', 2);
    await createDevices(t, token, [a, b]);
    const id = await deviceId(a);
    expect((await t.ok(DELETE_DEVICE, { id })).deleteDevice.deletedDeviceId).toBe(id);
    expect((await t.ok(DELETE_DEVICE, { id })).deleteDevice.deletedDeviceId).toBe(id); // again: no change
    const visible = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t}) { edges { node { serialNumber } } } }`, { t: token.id });
    expect(visible.devices.edges.map((e: any) => e.node.serialNumber)).toEqual([b]);
    const all = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t, includeDeleted: true}) { edges { node { serialNumber deletedAt deletedBy } } } }`, {
      t: token.id,
    });
    expect(all.devices.edges[0].node).toEqual({ serialNumber: a, deletedAt: t.clock.now().toISOString(), deletedBy: 'DEPGATE' });

    const DELETE_TOKEN = `mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`;
    const refused = await t.gql(DELETE_TOKEN, { id: token.id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'TOKEN_IN_USE', dependents: 'devices', count: 1 });
    await t.ok(DELETE_DEVICE, { id: await deviceId(b) });
    expect((await t.ok(DELETE_TOKEN, { id: token.id })).deleteDepToken.deletedDepTokenId).toBe(token.id);
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1`, [token.rowId]);
    expect(n).toBe(0);
  });

  it('needs OPERATOR and is NOT_FOUND outside the key’s scope', async () => {
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "devices-A"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const tokenA = await uploadToken(t, 'scoped-A', [tag]);
    const tokenB = await uploadToken(t, 'scoped-B');
    const [inA] = serials('SCPA', 1);
    const [inB] = serials('SCPB', 1);
    await createDevices(t, tokenA, [inA]);
    await createDevices(t, tokenB, [inB]);
    const readerA = await t.createKey('READER', [tag]);
    const operatorA = await t.createKey('OPERATOR', [tag]);
    const list = await t.ok(`{ devices(first: 500) { totalCount edges { node { serialNumber token { name } } } } }`, undefined, readerA);
    expect(list.devices.edges.map((e: any) => e.node)).toEqual([{ serialNumber: inA, token: { name: 'scoped-A' } }]);
    expect(list.devices.totalCount).toBe(1);
    const idA = await deviceId(inA);
    const idB = await deviceId(inB);
    expect((await t.ok(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [idA, idB] }, readerA)).nodes).toEqual([{ id: idA }, null]);
    expect((await t.gql(DELETE_DEVICE, { id: idA }, readerA)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(DELETE_DEVICE, { id: idB }, operatorA)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(IMPORT, { input: { tokenId: tokenB.id, serialNumbers: ['C02SCOPE0001'] } }, operatorA)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const filtered = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t}) { totalCount } }`, { t: tokenB.id }, readerA);
    expect(filtered.devices.totalCount).toBe(0);
  });
});
