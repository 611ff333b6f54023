/**
 * Forged cursors (issue #9): a cursor is base64url JSON of the list's key values, so a client can
 * write one by hand. Values that do not fit the key's type (a timestamp, a uuid, an integer) are a
 * typed BAD_USER_INPUT on `after`, on every connection, never an SQL error masked as a 500.
 */
import { randomUUID } from 'node:crypto';
import { createDevices, serials, uploadToken, type UploadedToken } from '../support/dep-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let token: UploadedToken;
let profileId: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'cursor-token');
  profileId = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name: 'Cursor profile' },
    })
  ).createEnrollmentProfile.profile.id;
  await createDevices(t, token, serials('CURS', 3), { depgateOnly: true });
});
afterAll(() => t.close());

const cursor = (values: unknown) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

const COMMON_FORGERIES: [string, unknown][] = [
  ['["x","y"] (the issue\'s WyJ4IiwieSJd)', ['x', 'y']],
  ['numbers where text or a uuid belongs', [1, 2]],
  ['one key too many', ['2026-01-01T00:00:00.000Z', randomUUID(), 'z']],
];
/** Lists ordered by a timestamp, then id. */
const TIME_FORGERIES: [string, unknown][] = [
  ...COMMON_FORGERIES,
  ['a timestamp and not a uuid', ['2026-01-01T00:00:00.000Z', 'not-a-uuid']],
  ['a date that does not exist', ['2026-02-30T00:00:00.000Z', randomUUID()]],
  ['a timestamp in another shape', ['2026-01-01 00:00:00+00', randomUUID()]],
];
/** Lists ordered by serial number, then id. */
const SERIAL_FORGERIES: [string, unknown][] = [
  ...COMMON_FORGERIES,
  ['a serial and not a uuid', ['C02XK1ABJG5H', 'not-a-uuid']],
  ['a NUL character', ['C02\u0000', randomUUID()]],
];

const byTime = { wellTyped: () => [new Date().toISOString(), randomUUID()], forgeries: TIME_FORGERIES };
const bySerial = { wellTyped: () => ['C02ZZZZZZZZZ', randomUUID()], forgeries: SERIAL_FORGERIES };

/** [field, query taking $after, the connection in data, its key: a well-typed cursor written by hand and forgeries]. */
const CONNECTIONS: [string, string, (data: any) => any, typeof byTime][] = [
  ['depTokens', `query ($after: String) { depTokens(after: $after) { edges { cursor } } }`, (d) => d.depTokens, byTime],
  ['alerts', `query ($after: String) { alerts(after: $after) { edges { cursor } } }`, (d) => d.alerts, byTime],
  ['vppTokens', `query ($after: String) { vppTokens(after: $after) { edges { cursor } } }`, (d) => d.vppTokens, byTime],
  [
    'appleConfiguratorCertificates',
    `query ($after: String) { appleConfiguratorCertificates(after: $after) { edges { cursor } } }`,
    (d) => d.appleConfiguratorCertificates,
    byTime,
  ],
  ['devices', `query ($after: String) { devices(after: $after) { edges { cursor } } }`, (d) => d.devices, bySerial],
  [
    'DepToken.profiles',
    `query ($id: ID!, $after: String) { depToken(id: $id) { profiles(after: $after) { edges { cursor } } } }`,
    (d) => d.depToken.profiles,
    byTime,
  ],
  ['DepToken.devices', `query ($id: ID!, $after: String) { depToken(id: $id) { devices(after: $after) { edges { cursor } } } }`, (d) => d.depToken.devices, bySerial],
  [
    'EnrollmentProfile.devices',
    `query ($p: ID!, $after: String) { node(id: $p) { ... on EnrollmentProfile { devices(after: $after) { edges { cursor } } } } }`,
    (d) => d.node.devices,
    bySerial,
  ],
];

describe.each(CONNECTIONS)('%s', (_field, query, connection, key) => {
  const variables = (after: string) => ({ after, id: token.id, p: profileId });

  it.each(key.forgeries)('refuses a forged cursor: %s', async (_label, values) => {
    const res = await t.gql(query, variables(cursor(values)));
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('refuses the literal cursor from the issue and an overlong one', async () => {
    expect((await t.gql(query, variables('WyJ4IiwieSJd'))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect((await t.gql(query, variables(cursor(['x'.repeat(5000), randomUUID()])))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('still takes the cursors it hands out, and any well-typed one', async () => {
    const first = connection(await t.ok(query, { id: token.id, p: profileId }));
    for (const edge of first.edges) expect((await t.gql(query, variables(edge.cursor))).errors).toBeUndefined();
    expect((await t.gql(query, variables(cursor(key.wellTyped())))).errors).toBeUndefined();
  });
});

describe('DepToken.syncRuns (one integer key)', () => {
  const query = `query ($id: ID!, $after: String) { depToken(id: $id) { syncRuns(after: $after) { edges { cursor } } } }`;
  it.each([
    ['text', ['x']],
    ['a fraction', [1.5]],
    ['a number beyond bigint', [1e300]],
    ['a numeric string', ['12']],
  ])('refuses %s', async (_label, values) => {
    const res = await t.gql(query, { id: token.id, after: cursor(values) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('still takes the cursors it hands out', async () => {
    await t.app.dataSource.query(
      `INSERT INTO sync_runs (id, token_id, kind, trigger, status, queued_at, updated_at)
       SELECT gen_random_uuid(), $1, 'DELTA', 'MANUAL', 'SUCCEEDED', now(), now() FROM generate_series(1, 2)`,
      [token.rowId],
    );
    const edges = (await t.ok(query, { id: token.id })).depToken.syncRuns.edges;
    expect(edges.length).toBeGreaterThanOrEqual(2);
    for (const edge of edges) expect((await t.gql(query, { id: token.id, after: edge.cursor })).errors).toBeUndefined();
    expect((await t.gql(query, { id: token.id, after: cursor([-1]) })).errors).toBeUndefined();
  });
});
