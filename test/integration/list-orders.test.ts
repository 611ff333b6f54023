/**
 * Tables (issue #10): `orderBy: {field, direction}` and paging both ways (`first`/`after`,
 * `last`/`before`) on devices (top level, under a token, under a profile), depTokens, a token's
 * syncRuns and alerts. For every order and direction: the pages walked forwards are what the
 * database orders (NULLs lowest, ties by id), the pages walked backwards are the same rows, each
 * page is one SQL statement, and a cursor made for another order is refused. On a table of
 * 20,000 devices every devices order is read from an index, without a Sort node.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { toGlobalId, type NodeTypeName } from '../../src/graphql/global-id';
import { createDevices, serials, uploadToken, type UploadedToken } from '../support/dep-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let tokenA: UploadedToken;
let tokenB: UploadedToken;
let profileId: string;
const deviceSerials = serials('ORD', 23);

beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  tokenA = await uploadToken(t, 'order-a');
  tokenB = await uploadToken(t, 'order-b');
  profileId = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: tokenA.id, name: 'Order profile' },
    })
  ).createEnrollmentProfile.profile.id;
  await createDevices(t, tokenA, deviceSerials, { depgateOnly: true });
  // Ties and NULLs in every column an order reads; serials are inserted out of order.
  await t.app.dataSource.query(
    `UPDATE devices d SET
       model = (ARRAY['iPad Air', 'iPhone 15', NULL, 'MacBook Pro'])[1 + n % 4],
       profile_status = (ARRAY['EMPTY', 'ASSIGNED', 'PUSHED', 'REMOVED'])[1 + (n * 7) % 4],
       last_synced_at = CASE WHEN n % 5 = 0 THEN NULL ELSE TIMESTAMPTZ '2026-11-01T00:00:00Z' + (n % 3) * INTERVAL '1 hour' END,
       device_assigned_at = CASE WHEN n % 4 = 0 THEN NULL ELSE TIMESTAMPTZ '2026-10-01T00:00:00Z' + (n % 6) * INTERVAL '1 day' END,
       profile_id = (SELECT id FROM enrollment_profiles LIMIT 1)
     FROM (SELECT id, row_number() OVER (ORDER BY md5(serial_number)) AS n FROM devices) numbered
     WHERE numbered.id = d.id`,
  );
});
afterAll(() => t.close());

const PAGE = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`;
const ARGS = `orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before`;
const VARS = `$first: Int, $after: String, $last: Int, $before: String`;

interface Page {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
}

interface List {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  connection: (data: any) => Page;
  /** Matches the statements that read the list's table. */
  table: RegExp;
}

const deviceLists = (): List[] => [
  {
    label: 'devices',
    query: `query ($orderBy: DeviceOrder, $filter: DeviceFilter, ${VARS}) { devices(filter: $filter, ${ARGS}) { ${PAGE} } }`,
    variables: { filter: { tokenId: tokenA.id } },
    connection: (d) => d.devices,
    table: /\bdevices\b/,
  },
  {
    label: 'DepToken.devices',
    query: `query ($id: ID!, $orderBy: DeviceOrder, ${VARS}) { depToken(id: $id) { devices(${ARGS}) { ${PAGE} } } }`,
    variables: { id: tokenA.id },
    connection: (d) => d.depToken.devices,
    table: /\bdevices\b/,
  },
  {
    label: 'EnrollmentProfile.devices',
    query: `query ($id: ID!, $orderBy: DeviceOrder, ${VARS}) { node(id: $id) { ... on EnrollmentProfile { devices(${ARGS}) { ${PAGE} } } } }`,
    variables: { id: profileId },
    connection: (d) => d.node.devices,
    table: /\bdevices\b/,
  },
];

/** Captures every statement (text and parameters) the app sends while `fn` runs. */
async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; statements: { text: string; values: unknown[] }[] }> {
  const statements: { text: string; values: unknown[] }[] = [];
  const original = Client.prototype.query;
  (Client.prototype as any).query = function (this: Client, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    const values = Array.isArray(args[1]) ? args[1] : (args[0]?.values ?? []);
    if (typeof text === 'string') statements.push({ text, values });
    return (original as any).apply(this, args);
  };
  try {
    return { result: await fn(), statements };
  } finally {
    Client.prototype.query = original;
  }
}

async function fetchPage(list: List, orderBy: unknown, page: Record<string, unknown>): Promise<{ page: Page; statements: number }> {
  const { result, statements } = await capture(() => t.ok(list.query, { ...list.variables, orderBy, ...page }));
  return { page: list.connection(result), statements: statements.filter((s) => list.table.test(s.text)).length };
}

/** Every row, page by page from the start; checks pageInfo and one statement per page on the way. */
async function walkForwards(list: List, orderBy: unknown, size: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const { page, statements } = await fetchPage(list, orderBy, { first: size, after });
    expect(statements).toBe(1);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    expect(page.edges).toHaveLength(size);
    after = page.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

/** Every row, page by page from the end (`last`/`before`), in the list's order. */
async function walkBackwards(list: List, orderBy: unknown, size: number): Promise<string[]> {
  const pages: string[][] = [];
  let before: string | null = null;
  for (let n = 0; n < 100; n++) {
    const { page, statements } = await fetchPage(list, orderBy, { last: size, before });
    expect(statements).toBe(1);
    expect(page.pageInfo.hasNextPage).toBe(before !== null);
    pages.unshift(page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasPreviousPage) return pages.flat();
    expect(page.edges).toHaveLength(size);
    before = page.pageInfo.startCursor;
  }
  throw new Error('too many pages');
}

/** What PostgreSQL itself orders, written independently of the API's SQL: each column with NULLs lowest, then the id. */
async function expected(sql: string, columns: string | string[], direction: 'ASC' | 'DESC', params: unknown[], type: NodeTypeName): Promise<string[]> {
  const nulls = direction === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST';
  const order = [columns].flat().map((c) => `${c} ${direction} ${nulls}`);
  const rows: { id: string }[] = await t.app.dataSource.query(`${sql} ORDER BY ${order.join(', ')}, id ${direction}`, params);
  return rows.map((r) => toGlobalId(type, r.id));
}

const DEVICE_COLUMNS: [field: string, column: string][] = [
  ['SERIAL_NUMBER', 'serial_number COLLATE "C"'],
  ['MODEL', 'model'],
  ['PROFILE_STATUS', 'profile_status'],
  ['LAST_SYNCED_AT', 'last_synced_at'],
  ['DEVICE_ASSIGNED_AT', 'device_assigned_at'],
];
const DIRECTIONS = ['ASC', 'DESC'] as const;

describe.each([0, 1, 2])('device lists (%#: top level, under a token, under a profile)', (index) => {
  const list = () => deviceLists()[index]!;

  describe.each(DEVICE_COLUMNS.flatMap(([field, column]) => DIRECTIONS.map((direction) => [field, column, direction] as const)))(
    'orderBy %s %s',
    (field, column, direction) => {
      it('walks forwards in the database order (ties by id), and backwards to the same rows', async () => {
        const want = await expected(`SELECT id FROM devices WHERE token_id = $1 AND deleted_at IS NULL`, column, direction, [tokenA.rowId], 'Device');
        expect(want).toHaveLength(deviceSerials.length);
        const forwards = await walkForwards(list(), { field, direction }, 4);
        expect(forwards).toEqual(want);
        expect(await walkBackwards(list(), { field, direction }, 4)).toEqual(want);
      });
    },
  );

  it('without orderBy lists by serial number, as before, and the default cursors still work', async () => {
    const want = await expected(`SELECT id FROM devices WHERE token_id = $1`, 'serial_number COLLATE "C"', 'ASC', [tokenA.rowId], 'Device');
    expect(await walkForwards(list(), null, 5)).toEqual(want);
    expect(await walkBackwards(list(), null, 5)).toEqual(want);
    expect(await walkForwards(list(), { field: 'SERIAL_NUMBER' }, 5)).toEqual(want); // direction defaults to ASC
  });

  it('refuses a cursor made for another order, on after and on before', async () => {
    const cursorOf = async (orderBy: unknown) => (await fetchPage(list(), orderBy, { first: 3 })).page.edges[1]!.cursor;
    const model = await cursorOf({ field: 'MODEL', direction: 'ASC' });
    const byDefault = await cursorOf(null);
    const refusals: [unknown, Record<string, unknown>, string][] = [
      [null, { after: model }, 'after'],
      [{ field: 'MODEL', direction: 'DESC' }, { after: model }, 'after'],
      [{ field: 'LAST_SYNCED_AT', direction: 'ASC' }, { before: model, last: 2 }, 'before'],
      [{ field: 'MODEL', direction: 'ASC' }, { after: byDefault }, 'after'],
      [{ field: 'SERIAL_NUMBER', direction: 'DESC' }, { before: byDefault }, 'before'],
    ];
    for (const [orderBy, page, field] of refusals) {
      const res = await t.gql(list().query, { ...list().variables, orderBy, ...page });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // The same order takes its own cursors both ways.
    const own = await t.gql(list().query, { ...list().variables, orderBy: { field: 'MODEL', direction: 'ASC' }, before: model, last: 5 });
    expect(own.errors).toBeUndefined();
    expect(list().connection(own.data).edges).toHaveLength(1);
  });

  it('refuses first and last together, and a last over 500', async () => {
    const both = await t.gql(list().query, { ...list().variables, first: 2, last: 2 });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
    const tooMany = await t.gql(list().query, { ...list().variables, last: 501 });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
  });
});

describe('depTokens(orderBy)', () => {
  const list: List = {
    label: 'depTokens',
    query: `query ($orderBy: DepTokenOrder, ${VARS}) { depTokens(${ARGS}) { ${PAGE} } }`,
    variables: {},
    connection: (d) => d.depTokens,
    table: /\bdep_tokens\b/,
  };
  beforeAll(async () => {
    for (const name of ['order-c', 'order-d', 'order-e']) await uploadToken(t, name);
    // Ties in names and expiry dates.
    await t.app.dataSource.query(
      `UPDATE dep_tokens d SET name = (ARRAY['Beta', 'Alpha'])[1 + n % 2], expires_at = TIMESTAMPTZ '2027-06-01T00:00:00Z' + (n % 3) * INTERVAL '1 day'
         FROM (SELECT id, row_number() OVER (ORDER BY md5(id::text)) AS n FROM dep_tokens) numbered WHERE numbered.id = d.id`,
    );
  });

  it.each([
    ['CREATED_AT', 'created_at'],
    ['NAME', 'name'],
    ['EXPIRES_AT', 'expires_at'],
  ].flatMap(([field, column]) => DIRECTIONS.map((direction) => [field!, column!, direction] as const)))('orderBy %s (%s) %s, both ways', async (field, column, direction) => {
    const want = await expected(`SELECT id FROM dep_tokens`, column, direction, [], 'DepToken');
    expect(want).toHaveLength(5);
    expect(await walkForwards(list, { field, direction }, 2)).toEqual(want);
    expect(await walkBackwards(list, { field, direction }, 2)).toEqual(want);
  });
});

describe('DepToken.syncRuns(orderBy)', () => {
  const list = (): List => ({
    label: 'syncRuns',
    query: `query ($id: ID!, $orderBy: SyncRunOrder, ${VARS}) { depToken(id: $id) { syncRuns(${ARGS}) { ${PAGE} } } }`,
    variables: { id: tokenB.id },
    connection: (d) => d.depToken.syncRuns,
    table: /\bsync_runs\b/,
  });
  beforeAll(async () => {
    await t.app.dataSource.query(
      `INSERT INTO sync_runs (id, token_id, kind, trigger, status, queued_at, updated_at)
       SELECT gen_random_uuid(), $1, 'DELTA', 'MANUAL', 'SUCCEEDED', now(), now() FROM generate_series(1, 6)`,
      [tokenB.rowId],
    );
  });

  it.each(DIRECTIONS)('orderBy QUEUED_AT %s, both ways', async (direction) => {
    const want = await expected(`SELECT id FROM sync_runs WHERE token_id = $1`, 'seq', direction, [tokenB.rowId], 'SyncRun');
    expect(want.length).toBeGreaterThanOrEqual(6);
    expect(await walkForwards(list(), { field: 'QUEUED_AT', direction }, 3)).toEqual(want);
    expect(await walkBackwards(list(), { field: 'QUEUED_AT', direction }, 3)).toEqual(want);
  });

  it('is newest first without orderBy', async () => {
    const want = await expected(`SELECT id FROM sync_runs WHERE token_id = $1`, 'seq', 'DESC', [tokenB.rowId], 'SyncRun');
    expect(await walkForwards(list(), null, 3)).toEqual(want);
    expect(await walkBackwards(list(), null, 3)).toEqual(want);
  });
});

describe('alerts(orderBy)', () => {
  const list = (): List => ({
    label: 'alerts',
    query: `query ($orderBy: AlertOrder, $filter: AlertFilter, ${VARS}) { alerts(filter: $filter, ${ARGS}) { ${PAGE} } }`,
    variables: { filter: { subjectId: tokenB.id, status: 'ALL' } },
    connection: (d) => d.alerts,
    table: /\balerts\b/,
  });
  beforeAll(async () => {
    await t.app.dataSource.query(
      `INSERT INTO alerts (id, kind, severity, subject_id, dep_token_id, subject_name, threshold, message, raised_at)
       SELECT gen_random_uuid(), 'DEP_TOKEN_EXPIRING', (ARRAY['INFO', 'WARNING', 'CRITICAL'])[1 + n % 3], $1, $1, 'order-b', n, 'expiring',
              TIMESTAMPTZ '2026-11-20T00:00:00Z' + (n % 4) * INTERVAL '1 hour'
         FROM generate_series(1, 11) AS n`,
      [tokenB.rowId],
    );
  });
  const severityRank = `CASE severity WHEN 'INFO' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END`;

  it.each([
    ['RAISED_AT', ['raised_at']],
    // The severity, then when raised, in the same direction.
    ['SEVERITY', [severityRank, 'raised_at']],
  ].flatMap(([field, columns]) => DIRECTIONS.map((direction) => [field as string, columns as string[], direction] as const)))('orderBy %s %j %s, both ways', async (field, columns, direction) => {
    const want = await expected(`SELECT id FROM alerts WHERE dep_token_id = $1`, columns, direction, [tokenB.rowId], 'Alert');
    expect(want).toHaveLength(11);
    expect(await walkForwards(list(), { field, direction }, 4)).toEqual(want);
    expect(await walkBackwards(list(), { field, direction }, 4)).toEqual(want);
  });
});

describe('on 20,000 devices', () => {
  beforeAll(async () => {
    const big = await uploadToken(t, 'order-big');
    // In slices, each statement well inside REQUEST_STATEMENT_TIMEOUT_MS on a loaded machine.
    for (let from = 0; from < 20_000; from += 2_000) {
      await t.app.dataSource.query(
        `INSERT INTO devices (token_id, serial_number, model, os, device_family, profile_status, source, last_synced_at, device_assigned_at, created_at, updated_at)
         SELECT $1, 'BIG' || lpad(n::text, 9, '0'), 'Model ' || (n * 7919 % 50), 'iOS', 'iPhone', (ARRAY['EMPTY', 'ASSIGNED', 'PUSHED'])[1 + n % 3], 'SYNC',
                now() - (n * 31 % 1000) * INTERVAL '1 minute', now() - (n * 17 % 500) * INTERVAL '1 hour', now(), now()
           FROM generate_series($2::int, $3::int) AS n`,
        [big.rowId, from, from + 1_999],
      );
    }
    await t.app.dataSource.query(`ANALYZE devices`);
  });

  const top = `query ($orderBy: DeviceOrder, ${VARS}) { devices(${ARGS}) { ${PAGE} } }`;

  /** The plan of the statement the API sent for one page (text and parameters as sent). */
  async function planOf(variables: Record<string, unknown>): Promise<string[]> {
    const { statements } = await capture(() => t.ok(top, variables));
    const page = statements.filter((s) => /\bFROM "devices"/.test(s.text));
    expect(page).toHaveLength(1);
    const [{ 'QUERY PLAN': plan }] = await t.app.dataSource.query(`EXPLAIN (FORMAT JSON) ${page[0]!.text}`, page[0]!.values);
    const nodes: string[] = [];
    const walk = (node: any) => {
      nodes.push(`${node['Node Type']}${node['Scan Direction'] ? ` ${node['Scan Direction']}` : ''}${node['Index Name'] ? ` ${node['Index Name']}` : ''}`);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(plan[0].Plan);
    return nodes;
  }

  const INDEXES: Record<string, string> = {
    SERIAL_NUMBER: 'devices_list_idx',
    MODEL: 'devices_model_list_idx',
    PROFILE_STATUS: 'devices_status_list_idx',
    LAST_SYNCED_AT: 'devices_synced_list_idx',
    DEVICE_ASSIGNED_AT: 'devices_assigned_list_idx',
  };

  /** A cursor at the 10,000th device of the order, written as the API writes them (its order's name, the key, the id). */
  async function middleCursor(field: string, column: string, direction: 'ASC' | 'DESC'): Promise<string> {
    const nulls = direction === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST';
    const [row] = await t.app.dataSource.query(
      `SELECT id, serial_number, model, profile_status, last_synced_at, device_assigned_at FROM devices
        ORDER BY ${column} ${direction} ${nulls}, id ${direction} OFFSET 10000 LIMIT 1`,
    );
    const value = {
      SERIAL_NUMBER: row.serial_number,
      MODEL: row.model,
      PROFILE_STATUS: row.profile_status,
      LAST_SYNCED_AT: row.last_synced_at.toISOString(),
      DEVICE_ASSIGNED_AT: row.device_assigned_at.toISOString(),
    }[field];
    const key = field === 'SERIAL_NUMBER' && direction === 'ASC' ? [value, row.id] : [`${field}:${direction}`, value, row.id];
    return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  }

  it.each(DEVICE_COLUMNS.flatMap(([field, column]) => DIRECTIONS.map((direction) => [field, column, direction] as const)))(
    'reads orderBy %s (%s) %s from its index, from either end and from the middle both ways, without sorting',
    async (field, column, direction) => {
      const orderBy = { field, direction };
      const middle = await middleCursor(field, column, direction);
      // The hand-written cursor is one the API takes: the page after it starts at the 10,001st device.
      expect((await t.ok(top, { orderBy, first: 1, after: middle })).devices.edges).toHaveLength(1);
      for (const page of [{ first: 50 }, { first: 50, after: middle }, { last: 50 }, { last: 50, before: middle }]) {
        const nodes = await planOf({ orderBy, ...page });
        expect(nodes.join(' > ')).toContain(`Index Scan ${(direction === 'ASC') === 'last' in page ? 'Backward' : 'Forward'} ${INDEXES[field]}`);
        expect(nodes.filter((n) => /Sort/.test(n))).toEqual([]);
      }
    },
  );

  it('still answers an unknown id in a well-typed cursor', async () => {
    const cursor = Buffer.from(JSON.stringify(['MODEL:ASC', 'Model 1', randomUUID()])).toString('base64url');
    const res = await t.gql(top, { orderBy: { field: 'MODEL', direction: 'ASC' }, first: 2, after: cursor });
    expect(res.errors).toBeUndefined();
  });
});
