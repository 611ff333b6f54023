/**
 * Section `queries`: the device list page the issue names,
 *   devices(first: N) { edges { node { id serialNumber model profileStatus profile { name } token { name } } } }
 * through depgate (Apollo, type-graphql, loaders), at 1 and 20 concurrent clients for N = 10, 100,
 * 500, against the raw SQL floor and graphql-js with plain resolvers (support/query-baselines.ts).
 * The data are made by an in-process depgate; then each of the three servers runs in a process of
 * its own with the same Node flags (support/target-process.ts), one at a time, while this process
 * only generates load.
 *
 * Results per (N, clients): requests/s against each baseline, p50 and p99 against the plain
 * graphql baseline; per N at 20 clients: SQL statements and CPU ms per request of the server
 * process (against the plain baseline's) and its peak RSS. BENCH_QUERY_MS sets the time per
 * measurement (default 3000), BENCH_QUERY_FIRST the page sizes (default 10,100,500).
 */
import { benchResult, emit, note } from './support/result';
import type { BenchContext } from './support/context';
import { rowIdOf, startDepgate, syncedToken } from './support/depgate';
import { runLoad, type LoadResult } from './support/load';
import { MB } from './support/memory';
import { startTargetProcess, type TargetProcess } from './support/target-process';
import { intFromEnv } from './support/sections';

const QUERY = `query ($first: Int!) { devices(first: $first) { edges { node { id serialNumber model profileStatus profile { name } token { name } } } } }`;
const FLEET = 2000;

/** BENCH_QUERY_FIRST: the page sizes to measure, comma-separated (default 10,100,500), to profile one. */
function firstSizes(): number[] {
  const sizes = (process.env.BENCH_QUERY_FIRST ?? '10,100,500').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) throw new Error('BENCH_QUERY_FIRST: page sizes between 1 and 500, comma-separated');
  return sizes;
}

async function post(url: string, body: string, headers: Record<string, string>, expectEdges: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const json = (await res.json()) as any;
  if (json.errors || json.data?.devices?.edges?.length !== expectEdges) throw new Error(`unexpected answer from ${url}: ${JSON.stringify(json).slice(0, 300)}`);
}

export async function queriesSection(ctx: BenchContext): Promise<void> {
  const durationMs = intFromEnv(process.env.BENCH_QUERY_MS, 3000);
  const databaseUrl = await ctx.db.createDatabase();
  const d = await startDepgate(databaseUrl);
  const targets: TargetProcess[] = [];
  let appStopped = false;
  try {
    const { tokenId, tokenRowId } = await syncedToken(d, FLEET);
    // Half the devices carry a profile, so `profile { name }` resolves both ways.
    const created = await d.gql(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId, name: 'Bench profile', userAffinity: 'WITHOUT_USER' },
    });
    const profileRowId = rowIdOf(created.createEnrollmentProfile.profile.id);
    await d.app.dataSource.query(`UPDATE devices SET profile_id = $1 WHERE token_id = $2 AND right(serial_number, 1) < '8'`, [profileRowId, tokenRowId]);
    await d.app.dataSource.query(`ANALYZE`);
    // The data are in place: from here on depgate serves from its own process like the baselines
    // (the simulator stays here, for the deployment's configuration; nothing calls it).
    await d.app.stop();
    appStopped = true;
    const [raw, plain, depgate] = [
      await startTargetProcess('raw', { DATABASE_URL: databaseUrl }),
      await startTargetProcess('plain', { DATABASE_URL: databaseUrl }),
      await startTargetProcess('depgate', d.env),
    ];
    targets.push(raw, plain, depgate);

    for (const first of firstSizes()) {
      const body = JSON.stringify({ query: QUERY, variables: { first } });
      const auth = { authorization: `Bearer ${d.key}` };
      for (const clients of [1, 20]) {
        const measure = (target: TargetProcess, headers: Record<string, string>) =>
          runLoad(() => post(target.url, body, headers, first), clients, durationMs, target, `first-${first}-c${clients}`);
        const rawLoad = await measure(raw, {});
        const plainLoad = await measure(plain, {});
        const depgateLoad: LoadResult = await measure(depgate, auth);
        note(
          `queries first=${first} clients=${clients}: depgate ${depgateLoad.perSecond.toFixed(0)}/s (${depgateLoad.cpuMsPerRequest.toFixed(2)} ms CPU), ` +
            `plain ${plainLoad.perSecond.toFixed(0)}/s (${plainLoad.cpuMsPerRequest.toFixed(2)} ms), raw ${rawLoad.perSecond.toFixed(0)}/s (${rawLoad.cpuMsPerRequest.toFixed(2)} ms)`,
        );
        const tag = `first-${first}-c${clients}`;
        emit(benchResult(`queries-${tag}-rps-vs-raw-sql`, depgateLoad.perSecond, 'requests/s', rawLoad.perSecond, 'higher'));
        emit(benchResult(`queries-${tag}-rps-vs-plain-graphql`, depgateLoad.perSecond, 'requests/s', plainLoad.perSecond, 'higher'));
        emit(benchResult(`queries-${tag}-p50`, depgateLoad.p50, 'ms', plainLoad.p50, 'lower'));
        emit(benchResult(`queries-${tag}-p99`, depgateLoad.p99, 'ms', plainLoad.p99, 'lower'));
        if (clients === 20) {
          emit(benchResult(`queries-first-${first}-sql-per-request`, depgateLoad.sqlPerRequest, 'statements', plainLoad.sqlPerRequest, 'lower'));
          emit(benchResult(`queries-first-${first}-cpu-per-request`, depgateLoad.cpuMsPerRequest, 'ms', plainLoad.cpuMsPerRequest, 'lower'));
          emit(benchResult(`queries-first-${first}-peak-rss`, depgateLoad.peakRss / MB, 'MB', plainLoad.peakRss / MB, 'lower'));
        }
      }
    }
  } finally {
    for (const target of targets) await target.stop();
    if (appStopped) await d.sim.close();
    else await d.stop();
  }
}
