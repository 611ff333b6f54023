/**
 * Section `large`: BENCH_LARGE_DEVICES (default 1,000,000) device rows across 20 tokens, generated
 * with SQL (the indexes the migrations made are dropped for the load and rebuilt as they were, which
 * is how a bulk load is done; the table ends with exactly the migrations' indexes), vacuumed and
 * analysed. Then, through the GraphQL API, repeated:
 *
 *   page          devices(first: 50, filter: {tokenId, profileStatus})
 *   prefix        devices(first: 50, filter: {serialNumberPrefix})        (3 characters)
 *   search        devices(first: 50, filter: {search})                     (part of one serial)
 *   search-model  devices(first: 50, filter: {search})                     (a model word, 1 row in 4)
 *   total-count   devices(filter: {tokenId, profileStatus}) { totalCount }
 *
 * Each reports p50 and p99 (ms) against the same SQL statements the request sent (captured from pg)
 * run bare on a pool: what the API adds to the database's own time. Every captured statement over
 * `devices` is EXPLAINed; a Seq Scan on devices fails the bench. Targets: p50 < 20 ms for pages,
 * < 100 ms for totalCount.
 */
import { Pool } from 'pg';
import type { BenchContext } from './support/context';
import { startDepgate, syncedToken, type BenchDepgate } from './support/depgate';
import { percentile } from './support/load';
import { benchResult, emit, note } from './support/result';
import { intFromEnv } from './support/sections';
import { captureSql, type CapturedStatement } from './support/sql-capture';

const TOKENS = 20;
const REPEAT = 60;

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  targetP50: number;
}

async function createTokens(d: BenchDepgate): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    ids.push((await syncedToken(d, 0, `Large ${i}`)).tokenId);
  }
  return ids;
}

/** The rows, spread evenly over the tokens; serials are 12 upper-case hex characters. */
async function generateDevices(pool: Pool, count: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = 'devices' AND i.schemaname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const { indexname } of indexes) await client.query(`DROP INDEX ${indexname}`);
    await client.query(
      `INSERT INTO devices (token_id, serial_number, model, description, color, os, device_family, profile_status, source,
                            last_synced_at, created_at, updated_at)
       SELECT t.ids[1 + i % ${TOKENS}],
              upper(substr(md5(i::text), 1, 12)),
              (ARRAY['iPhone 15', 'iPad Pro', 'MacBook Air', 'Apple TV'])[1 + (i / ${TOKENS}) % 4],
              (ARRAY['IPHONE 15 128GB BLK', 'IPAD PRO 11 WIFI 256GB', 'MBA 13 M3 8C 16GB', 'APPLE TV 4K'])[1 + (i / ${TOKENS}) % 4],
              'SILVER', 'iOS', 'iPhone',
              (ARRAY['EMPTY', 'ASSIGNED', 'PUSHED', 'REMOVED'])[1 + (i / ${TOKENS * 4}) % 4],
              'SYNC', now(), now(), now()
         FROM generate_series(1, $1::int) i, (SELECT array_agg(id ORDER BY id) AS ids FROM dep_tokens) t
       ON CONFLICT DO NOTHING`,
      [count],
    );
    for (const { indexdef } of indexes) await client.query(indexdef);
    await client.query(`VACUUM ANALYZE devices`);
  } finally {
    client.release();
  }
}

async function timed(times: number, work: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await work();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await work();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const readsDevices = (s: CapturedStatement) => /\bdevices\b/.test(s.text) && /^\s*(SELECT|WITH)\b/i.test(s.text);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** The plan's shape in one line, e.g. "Limit > Index Scan devices_token_list_idx". */
function planSummary(node: PlanNode): string {
  return planNodes(node)
    .map((n) => [n['Node Type'], n['Index Name'] ?? n['Relation Name']].filter(Boolean).join(' '))
    .join(' > ');
}

export async function largeSection(ctx: BenchContext): Promise<void> {
  const count = intFromEnv(process.env.BENCH_LARGE_DEVICES, 1_000_000);
  const databaseUrl = await ctx.db.createDatabase();
  const d = await startDepgate(databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const tokenIds = await createTokens(d);
    const started = Date.now();
    await generateDevices(pool, count);
    const { rows: [serial] } = await pool.query<{ s: string }>(`SELECT serial_number AS s FROM devices ORDER BY id LIMIT 1`);
    note(`large: ${count} devices over ${TOKENS} tokens generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const list = `query ($filter: DeviceFilter) { devices(first: 50, filter: $filter) { edges { node { id serialNumber model profileStatus token { name } } } } }`;
    const cases: Case[] = [
      { name: 'page', query: list, variables: { filter: { tokenId: tokenIds[7], profileStatus: 'PUSHED' } }, targetP50: 20 },
      { name: 'prefix', query: list, variables: { filter: { serialNumberPrefix: serial.s.slice(0, 3) } }, targetP50: 20 },
      { name: 'search', query: list, variables: { filter: { search: serial.s.slice(4, 10).toLowerCase() } }, targetP50: 20 },
      { name: 'search-model', query: list, variables: { filter: { search: 'macbook' } }, targetP50: 20 },
      {
        name: 'total-count',
        query: `query ($filter: DeviceFilter) { devices(first: 1, filter: $filter) { totalCount } }`,
        variables: { filter: { tokenId: tokenIds[3], profileStatus: 'ASSIGNED' } },
        targetP50: 100,
      },
    ];
    const seqScans: string[] = [];
    for (const c of cases) {
      const { statements } = await captureSql(() => d.gql(c.query, c.variables));
      const bare = statements.filter(readsDevices);
      if (bare.length === 0) throw new Error(`large ${c.name}: no statement over devices was captured`);
      for (const s of bare) {
        const [{ 'QUERY PLAN': [plan] }] = (await pool.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values)).rows;
        const root = plan.Plan as PlanNode;
        note(`large ${c.name} plan: ${planSummary(root)}`);
        if (planNodes(root).some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'devices')) seqScans.push(c.name);
      }
      const api = await timed(REPEAT, () => d.gql(c.query, c.variables));
      const sql = await timed(REPEAT, async () => {
        for (const s of bare) await pool.query(s.text, s.values);
      });
      note(`large ${c.name}: API p50 ${api.p50.toFixed(1)} ms p99 ${api.p99.toFixed(1)} ms (target p50 < ${c.targetP50}), SQL p50 ${sql.p50.toFixed(1)} ms`);
      emit(benchResult(`large-${c.name}-p50`, api.p50, 'ms', sql.p50, 'lower'));
      emit(benchResult(`large-${c.name}-p99`, api.p99, 'ms', sql.p99, 'lower'));
    }
    if (seqScans.length) throw new Error(`large: sequential scan on devices in the plan of ${seqScans.join(', ')}`);
  } finally {
    await pool.end();
    await d.stop();
  }
}
