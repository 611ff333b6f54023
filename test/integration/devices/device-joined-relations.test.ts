/**
 * A device page reads its token and profiles in its own statement when the operation asks only
 * their plain fields (device-joined-relations.ts, issue #15). Every field of the two tables, asked
 * through the page, must answer what `nodes(ids:)` answers (whole rows, through the loaders), for
 * an unrestricted key and for a scoped one that sees a device whose profile belongs to a token it
 * may not see; the page must then be one statement; a field outside the tables must send that
 * relation back to its loader.
 */
import { PROFILE_JOINED_FIELDS, TOKEN_JOINED_FIELDS } from '../../../src/devices/device-joined-relations';
import { countStatements, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let seen: UploadedToken;
let scopedKey: string;
let deviceIds: string[];
const TABLES = /\b(from|join) "(devices|dep_tokens|enrollment_profiles)"/i;

beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  const tag = async (name: string) => (await t.ok(`mutation ($name: String!) { createScopeTag(input: {name: $name}) { scopeTag { id } } }`, { name })).createScopeTag.scopeTag.id;
  const [seenTag, hiddenTag] = [await tag('joined-seen'), await tag('joined-hidden')];
  seen = await uploadToken(t, 'joined-seen-token', [seenTag]);
  const hidden = await uploadToken(t, 'joined-hidden-token', [hiddenTag]);
  scopedKey = await t.createKey('READER', [seenTag]);
  const profile = async (token: UploadedToken, name: string) =>
    (await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, { input: { tokenId: token.id, name } }))
      .createEnrollmentProfile.profile.id;
  await profile(seen, 'Joined seen profile');
  await profile(hidden, 'Joined hidden profile');
  await createDevices(t, seen, serials('JOIN', 6), { depgateOnly: true });
  await createDevices(t, hidden, serials('HIDE', 2), { depgateOnly: true });
  // Every column a table names holds a value, different per row, so a field answered from a
  // column the join left out (or another's) would differ from nodes().
  await t.app.dataSource.query(
    `UPDATE dep_tokens SET org_email = name || '@example.com', org_id = 'org-' || name, renewed_at = now() - interval '1 day',
        last_sync_triggered_at = now() - interval '2 hours', last_successful_sync_at = now() - interval '3 hours', enrollment_url = 'https://mdm.example.com/' || name`,
  );
  await t.app.dataSource.query(
    `UPDATE enrollment_profiles SET description = 'About ' || name, department_name = 'Dept ' || name, department_phone = '+1 555 0100',
        language = 'en', region = 'US', support_email_address = 'help@example.com', apple_profile_uuid = 'UUID-' || name,
        apple_defined_at = now() - interval '4 hours', supervised = (name LIKE '%seen%'), locked_enrollment = true`,
  );
  // Devices 1-2: the seen token's profile; 3: the hidden token's (nothing ties a device's profile
  // to its token); 4: asked for the hidden one, has the seen one; 0 and 5: none.
  await t.app.dataSource.query(
    `UPDATE devices d SET
        profile_id = CASE right(d.serial_number, 1) WHEN '1' THEN s.id WHEN '2' THEN s.id WHEN '3' THEN h.id WHEN '4' THEN s.id END,
        requested_profile_id = CASE right(d.serial_number, 1) WHEN '1' THEN s.id WHEN '3' THEN h.id WHEN '4' THEN h.id END
       FROM enrollment_profiles s, enrollment_profiles h WHERE s.name = 'Joined seen profile' AND h.name = 'Joined hidden profile'`,
  );
  const { devices } = await t.ok(`query ($token: ID!) { devices(first: 10, filter: { tokenId: $token }) { edges { node { id } } } }`, { token: seen.id });
  deviceIds = devices.edges.map((e: any) => e.node.id);
  expect(deviceIds).toHaveLength(6);
});
afterAll(() => t.close());

const LIST = (selection: string) => `query ($token: ID!) { devices(first: 10, filter: { tokenId: $token }) { edges { node { id ${selection} } } } }`;
const NODES = (selection: string) => `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Device { ${selection} } } }`;

/** The page's answer and statements, and what nodes() answers for the same devices. */
async function bothWays(selection: string, key?: string) {
  const page = await countStatements(() => t.ok(LIST(selection), { token: seen.id }, key), TABLES);
  const listed = (page.result as any).devices.edges.map((e: any) => e.node);
  const { nodes } = await t.ok(NODES(selection), { ids: listed.map((n: any) => n.id) }, key);
  return { listed, nodes, statements: page.statements };
}

const KEYS: [string, () => string | undefined][] = [
  ['an unrestricted key', () => undefined],
  ['a scoped key', () => scopedKey],
];

it('names only fields the schema has on DepToken and EnrollmentProfile', async () => {
  const fields = async (name: string) => (await t.ok(`query ($name: String!) { __type(name: $name) { fields { name } } }`, { name })).__type.fields.map((f: any) => f.name);
  const token = await fields('DepToken');
  const profile = await fields('EnrollmentProfile');
  expect([...TOKEN_JOINED_FIELDS].filter((f) => !token.includes(f))).toEqual([]);
  expect([...PROFILE_JOINED_FIELDS].filter((f) => !profile.includes(f))).toEqual([]);
});

describe.each(KEYS)('through %s', (_label, key) => {
  it.each([...TOKEN_JOINED_FIELDS])('token { %s } answers as nodes() does, in the page statement', async (field) => {
    const { listed, nodes, statements } = await bothWays(`token { id __typename ${field} }`, key());
    expect(listed).toEqual(nodes);
    expect(listed[0].token[field]).not.toBeNull();
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/LEFT JOIN "dep_tokens"/);
  });

  it.each([...PROFILE_JOINED_FIELDS])('profile { %s } and requestedProfile { %s } answer as nodes() does, in the page statement', async (field) => {
    const { listed, nodes, statements } = await bothWays(`profile { id ${field} } requestedProfile { id ${field} } enrollmentProfileName`, key());
    expect(listed).toEqual(nodes);
    expect(listed.filter((n: any) => n.profile !== null).length).toBeGreaterThan(0);
    expect(listed.every((n: any) => n.profile === null || n.profile[field] !== null)).toBe(true);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/LEFT JOIN "enrollment_profiles"/);
  });
});

it("keeps a profile of a token the key may not see hidden, as its loader does, and shows it to a key that may", async () => {
  const selection = `serialNumber profile { name } requestedProfile { name } enrollmentProfileName`;
  const bySerial = (nodes: any[]) => Object.fromEntries(nodes.map((n) => [n.serialNumber.slice(-1), [n.profile?.name ?? null, n.requestedProfile?.name ?? null, n.enrollmentProfileName]]));
  const all = await bothWays(selection);
  const scoped = await bothWays(selection, scopedKey);
  const S = 'Joined seen profile';
  const H = 'Joined hidden profile';
  expect(bySerial(all.listed)).toEqual({ 1: [S, S, S], 2: [S, null, S], 3: [H, H, H], 4: [S, H, S], 0: [null, null, null], 5: [null, null, null] });
  expect(bySerial(scoped.listed)).toEqual({ 1: [S, S, S], 2: [S, null, S], 3: [null, null, null], 4: [S, null, S], 0: [null, null, null], 5: [null, null, null] });
  expect(scoped.listed).toEqual(scoped.nodes);
  expect(scoped.statements).toHaveLength(1);
});

it('leaves a relation to its loader when a field outside the tables is selected, and joins the other', async () => {
  const { listed, nodes, statements } = await bothWays(`token { name status } profile { name }`);
  expect(listed).toEqual(nodes);
  expect(listed[0].token).toEqual({ name: 'joined-seen-token', status: 'ACTIVE' });
  // The page with its profiles joined, then the tokens' own read (status is computed from the whole row).
  expect(statements).toHaveLength(2);
  expect(statements[0]).toMatch(/LEFT JOIN "enrollment_profiles"/);
  expect(statements[0]).not.toMatch(/"dep_tokens"/);
  const wholeProfile = await bothWays(`profile { name hiddenSetupPanes } token { name }`);
  expect(wholeProfile.listed).toEqual(wholeProfile.nodes);
  expect(wholeProfile.statements).toHaveLength(2);
  expect(wholeProfile.statements[0]).toMatch(/LEFT JOIN "dep_tokens"/);
  expect(wholeProfile.statements[0]).not.toMatch(/"enrollment_profiles"/);
});

/** The same selection over every device, both tokens' (no filter). */
async function allDevices(selection: string, key?: string) {
  const page = await countStatements(() => t.ok(`{ devices(first: 50) { edges { node { id serialNumber ${selection} } } } }`, {}, key), TABLES);
  const listed = (page.result as any).devices.edges.map((e: any) => e.node);
  const { nodes } = await t.ok(NODES(`serialNumber ${selection}`), { ids: listed.map((n: any) => n.id) }, key);
  return { listed, nodes, statements: page.statements };
}

it('gives each device of a page over two tokens its own token, and a scoped key only its own', async () => {
  const all = await allDevices('token { id name }');
  expect(all.listed).toEqual(all.nodes);
  const names = (nodes: any[]) => Object.fromEntries(nodes.map((n) => [n.serialNumber, n.token.name]));
  expect(names(all.listed)).toEqual({
    ...Object.fromEntries(serials('JOIN', 6).map((s) => [s, 'joined-seen-token'])),
    ...Object.fromEntries(serials('HIDE', 2).map((s) => [s, 'joined-hidden-token'])),
  });
  expect(all.statements).toHaveLength(1);
  const scoped = await allDevices('token { id name }', scopedKey);
  expect(names(scoped.listed)).toEqual(Object.fromEntries(serials('JOIN', 6).map((s) => [s, 'joined-seen-token'])));
  // The rule is in the joins' ON clauses as well as in the WHERE.
  const profiles = await allDevices('profile { name }', scopedKey);
  expect(profiles.statements).toHaveLength(1);
  expect(profiles.statements[0]).toMatch(/LEFT JOIN "enrollment_profiles" "jp" ON .*EXISTS/s);
  expect(scoped.statements[0]).toMatch(/LEFT JOIN "dep_tokens" "jt" ON .*EXISTS/s);
});

it('joins requestedProfile alone and enrollmentProfileName alone', async () => {
  const requested = await bothWays('serialNumber requestedProfile { name }', scopedKey);
  expect(requested.listed).toEqual(requested.nodes);
  expect(requested.listed.find((n: any) => n.serialNumber.endsWith('1')).requestedProfile).toEqual({ name: 'Joined seen profile' });
  expect(requested.listed.find((n: any) => n.serialNumber.endsWith('4')).requestedProfile).toBeNull();
  expect(requested.statements).toHaveLength(1);
  expect(requested.statements[0]).toMatch(/"jr"/);
  expect(requested.statements[0]).not.toMatch(/"jp"/);
  const name = await bothWays('serialNumber enrollmentProfileName');
  expect(name.listed).toEqual(name.nodes);
  expect(name.listed.find((n: any) => n.serialNumber.endsWith('3')).enrollmentProfileName).toBe('Joined hidden profile');
  expect(name.statements).toHaveLength(1);
  expect(name.statements[0]).toMatch(/"jp"/);
});

it('sends a relation to its loader when a field outside the tables comes through a fragment or an alias', async () => {
  for (const selection of [
    'token { name ... on DepToken { status } }',
    'token { name } t: token { status }',
    'token { ...Status }',
  ]) {
    const query = `query ($token: ID!) { devices(first: 10, filter: { tokenId: $token }) { edges { node { id ${selection} } } } } fragment Status on DepToken { status }`;
    const page = await countStatements(() => t.ok(selection.includes('...Status') ? query : LIST(selection), { token: seen.id }), TABLES);
    const listed = (page.result as any).devices.edges.map((e: any) => e.node);
    expect(JSON.stringify(listed[0])).toMatch(/"status":"ACTIVE"/);
    expect(page.statements).toHaveLength(2);
    expect(page.statements[0]).not.toMatch(/"dep_tokens"/);
  }
  // One profile relation outside the tables sends all of them to the loader (they share one object per profile).
  const mixed = await bothWays('profile { name } requestedProfile { hiddenSetupPanes }');
  expect(mixed.listed).toEqual(mixed.nodes);
  expect(mixed.statements).toHaveLength(2);
  expect(mixed.statements[0]).not.toMatch(/"enrollment_profiles"/);
});
