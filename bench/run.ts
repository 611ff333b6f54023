/**
 * `npm run bench`: one JSON line per result on stdout,
 * `{"bench","value","unit","baseline","ratio","better"}`, every figure against a baseline measured
 * in the same run on the same database (bench/support/result.ts). Progress notes go to stderr.
 *
 * Environment:
 *   BENCH_ONLY     comma-separated sections (ingest, latency, queries, fanout, large, tokens); all built ones when unset
 *   BENCH_DEVICES  fleet size of the ingest sections (default 100000)
 *   BENCH_PAGE_DELAY_MS  the `latency` section's delay of every device page (default 300)
 *   BENCH_RSS_DEVICES  fleet whose first sync the peak RSS is measured on (default 200000)
 *   BENCH_QUERY_MS the `queries` section's time per measurement (default 3000)
 *   BENCH_LARGE_DEVICES  device rows of the `large` section (default 1000000)
 *   BENCH_TOKENS   tokens of the `tokens` section (default 2000); BENCH_REST_MS its quiet window (default 20000)
 *   BENCH_SUBSCRIBERS / BENCH_FANOUT_DEVICES  the `fanout` section's subscribers (1000) and fleet (20000)
 *   BENCH_CPU_PROF_DIR  the `queries` servers write a CPU profile of each measurement window there
 *   BENCH_NODE_FLAGS  the Node flags of the `queries` servers (default: those of `npm start`)
 *   DATABASE_URL   a PostgreSQL server to create the bench databases on (else an embedded one)
 *   NODE_ENV       production unless set (support/production-env.ts)
 */
import './support/production-env';
import 'reflect-metadata';
import { fanoutSection } from './fanout';
import { ingestSection } from './ingest';
import { largeSection } from './large';
import { latencySection } from './latency';
import { queriesSection } from './queries';
import { tokensSection } from './tokens';
import type { BenchContext } from './support/context';
import { startDatabaseServer } from './support/database';
import { note } from './support/result';
import { intFromEnv, selectedSections, type SectionName } from './support/sections';

const SECTIONS: Partial<Record<SectionName, (ctx: BenchContext) => Promise<void>>> = {
  ingest: ingestSection,
  latency: latencySection,
  queries: queriesSection,
  fanout: fanoutSection,
  large: largeSection,
  tokens: tokensSection,
};

async function main(): Promise<void> {
  const sections = selectedSections(process.env.BENCH_ONLY, Object.keys(SECTIONS) as SectionName[]);
  const devices = intFromEnv(process.env.BENCH_DEVICES, 100_000);
  const rssDevices = intFromEnv(process.env.BENCH_RSS_DEVICES, 200_000);
  const db = await startDatabaseServer();
  try {
    for (const name of sections) {
      const started = Date.now();
      note(`section ${name}`);
      await SECTIONS[name]!({ db, devices, rssDevices });
      note(`section ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
