/**
 * What a request may make the database do (issue #9): `totalCount` and `search` are part of the
 * cost estimate, searches too short for the trigram index are refused, and a request's SQL
 * statements stop after REQUEST_STATEMENT_TIMEOUT_MS.
 */
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { runMigrations } from '../../src/database/migrate';
import { startTestApp, wsRequest, type TestApp } from '../support/test-app';

const TIMEOUT_MS = 400;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { REQUEST_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) } });
});
afterAll(() => t.close());

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

describe('the cost estimate', () => {
  it('counts searches with totalCount: 30 aliases of a search with totalCount are refused', async () => {
    const res = await t.gql(aliases(30, `devices(first: 1, filter: {search: "abc"}) { totalCount }`));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 250000 });
  });

  it('counts searches: 30 aliases of a one-row search page are refused, 30 one-row pages are not', async () => {
    expect((await t.gql(aliases(30, `devices(first: 1) { edges { cursor } }`))).errors).toBeUndefined();
    const searched = await t.gql(aliases(30, `devices(first: 1, filter: {search: "abc"}) { edges { cursor } }`));
    expect(searched.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('runs a dashboard with a few counts and a search', async () => {
    const res = await t.gql(`{
      depTokens(first: 20) { totalCount edges { node { name profiles(first: 10) { totalCount } syncRuns(first: 3) { totalCount } } } }
      devices(first: 50, filter: {search: "iphone"}) { totalCount edges { node { serialNumber } } }
      alerts { totalCount } vppTokens { totalCount } }`);
    expect(res.errors).toBeUndefined();
  });

  it('counts totalCount selected through fragments too', async () => {
    const query = `query { ${Array.from({ length: 30 }, (_, i) => `a${i}: devices(first: 1, filter: {search: "abc"}) { ...C }`).join(' ')} } fragment C on DeviceConnection { totalCount }`;
    expect((await t.gql(query)).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('device search', () => {
  it.each(['a', 'ab', '  ab  '])('refuses %j: too short for the search index', async (search) => {
    const res = await t.gql(`query ($s: String) { devices(filter: {search: $s}) { totalCount } }`, { s: search });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'SEARCH_TOO_SHORT', field: 'search', min: 3 });
  });

  it('takes three characters, and a blank search is no search', async () => {
    expect((await t.gql(`{ devices(filter: {search: "abc"}) { totalCount } }`)).errors).toBeUndefined();
    expect((await t.gql(`{ devices(filter: {search: "   "}) { totalCount } }`)).errors).toBeUndefined();
  });
});

describe('REQUEST_STATEMENT_TIMEOUT_MS', () => {
  it('is set on the connections requests use', async () => {
    const [{ statement_timeout }] = await t.app.dataSource.query('SHOW statement_timeout');
    expect(statement_timeout).toBe(`${TIMEOUT_MS}ms`);
  });

  it('stops a request whose statement waits or runs longer, on HTTP and WebSocket; the next request is served', async () => {
    const blocker = new Client({ connectionString: t.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE devices IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const res = await Promise.race([
        t.gql('{ devices { totalCount } }'),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the request was not stopped')), 8000)),
      ]);
      expect(res.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(Date.now() - started).toBeLessThan(8000);
      expect(t.logs.some((l) => l.includes('canceling statement due to statement timeout'))).toBe(true);
      const ws = await Promise.race([
        wsRequest(t.ws(), '{ devices { totalCount } }'),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the WebSocket request was not stopped')), 8000)),
      ]);
      expect(ws.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await t.ok('{ devices { totalCount } }')).devices.totalCount).toBe(0);
  });

  it('does not hold migrations to it (or waiting for the migration lock), and the pool keeps it afterwards', async () => {
    class SlowMigration1999999999999 implements MigrationInterface {
      name = 'SlowMigration1999999999999';
      async up(q: QueryRunner): Promise<void> {
        await q.query(`SELECT pg_sleep(${(TIMEOUT_MS * 2) / 1000})`);
      }
      async down(): Promise<void> {}
    }
    const dataSource = new DataSource({
      type: 'postgres',
      url: t.db.url,
      migrations: [SlowMigration1999999999999],
      migrationsTableName: 'migrations',
      poolSize: 2,
      extra: { statement_timeout: TIMEOUT_MS },
    });
    await dataSource.initialize();
    try {
      await expect(dataSource.query(`SELECT pg_sleep(${(TIMEOUT_MS * 2) / 1000})`)).rejects.toThrow(/statement timeout/);
      expect(await runMigrations(dataSource)).toEqual(['SlowMigration1999999999999']);
      const [{ statement_timeout }] = await dataSource.query('SHOW statement_timeout');
      expect(statement_timeout).toBe(`${TIMEOUT_MS}ms`);
    } finally {
      await dataSource.destroy();
    }
  });
});
