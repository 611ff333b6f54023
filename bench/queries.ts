/**
 * Section `queries`: the device list page the issue names,
 *   devices(first: N) { edges { node { id serialNumber model profileStatus profile { name } token { name } } } }
 * through depgate (Apollo, type-graphql, loaders), at 1 and 20 concurrent clients for N = 10, 100,
 * 500, against the raw SQL floor and graphql-js with plain resolvers (support/query-baselines.ts).
 *
 * Results per (N, clients): requests/s against each baseline, p50 and p99 against the plain
 * graphql baseline; per N at 20 clients: SQL statements and CPU ms per request (against the plain
 * baseline) and this process's peak RSS. BENCH_QUERY_MS sets the time per measurement (default 3000).
 */
import { benchResult, emit, note } from './support/result';
import type { BenchContext } from './support/context';
import { rowIdOf, startDepgate, syncedToken } from './support/depgate';
import { runLoad, type LoadResult } from './support/load';
import { MB } from './support/memory';
import { startQueryBaselines } from './support/query-baselines';
import { intFromEnv } from './support/sections';

const QUERY = `query ($first: Int!) { devices(first: $first) { edges { node { id serialNumber model profileStatus profile { name } token { name } } } } }`;
const FLEET = 2000;

async function post(url: string, body: string, headers: Record<string, string>, expectEdges: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const json = (await res.json()) as any;
  if (json.errors || json.data?.devices?.edges?.length !== expectEdges) throw new Error(`unexpected answer from ${url}: ${JSON.stringify(json).slice(0, 300)}`);
}

export async function queriesSection(ctx: BenchContext): Promise<void> {
  const durationMs = intFromEnv(process.env.BENCH_QUERY_MS, 3000);
  const databaseUrl = await ctx.db.createDatabase();
  const d = await startDepgate(databaseUrl);
  const baselines = await startQueryBaselines(databaseUrl);
  try {
    const { tokenId, tokenRowId } = await syncedToken(d, FLEET);
    // Half the devices carry a profile, so `profile { name }` resolves both ways.
    const created = await d.gql(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId, name: 'Bench profile', userAffinity: 'WITHOUT_USER' },
    });
    const profileRowId = rowIdOf(created.createEnrollmentProfile.profile.id);
    await d.app.dataSource.query(`UPDATE devices SET profile_id = $1 WHERE token_id = $2 AND right(serial_number, 1) < '8'`, [profileRowId, tokenRowId]);
    await d.app.dataSource.query(`ANALYZE`);

    for (const first of [10, 100, 500]) {
      const body = JSON.stringify({ query: QUERY, variables: { first } });
      const auth = { authorization: `Bearer ${d.key}` };
      for (const clients of [1, 20]) {
        const measure = (url: string, headers: Record<string, string>) => runLoad(() => post(url, body, headers, first), clients, durationMs);
        const raw = await measure(baselines.rawUrl, {});
        const plain = await measure(baselines.plainUrl, {});
        const depgate: LoadResult = await measure(d.app.server.url, auth);
        note(`queries first=${first} clients=${clients}: depgate ${depgate.perSecond.toFixed(0)}/s, plain ${plain.perSecond.toFixed(0)}/s, raw ${raw.perSecond.toFixed(0)}/s`);
        const tag = `first-${first}-c${clients}`;
        emit(benchResult(`queries-${tag}-rps-vs-raw-sql`, depgate.perSecond, 'requests/s', raw.perSecond, 'higher'));
        emit(benchResult(`queries-${tag}-rps-vs-plain-graphql`, depgate.perSecond, 'requests/s', plain.perSecond, 'higher'));
        emit(benchResult(`queries-${tag}-p50`, depgate.p50, 'ms', plain.p50, 'lower'));
        emit(benchResult(`queries-${tag}-p99`, depgate.p99, 'ms', plain.p99, 'lower'));
        if (clients === 20) {
          emit(benchResult(`queries-first-${first}-sql-per-request`, depgate.sqlPerRequest, 'statements', plain.sqlPerRequest, 'lower'));
          emit(benchResult(`queries-first-${first}-cpu-per-request`, depgate.cpuMsPerRequest, 'ms', plain.cpuMsPerRequest, 'lower'));
          emit(benchResult(`queries-first-${first}-peak-rss`, depgate.peakRss / MB, 'MB', plain.peakRss / MB, 'lower'));
        }
      }
    }
  } finally {
    await baselines.close();
    await d.stop();
  }
}
