/**
 * Section `latency`: Apple serves a page in hundreds of milliseconds, not the simulator's few. With
 * every device page delayed 300 ms (the simulator's delay fault on `/server/devices` and
 * `/devices/sync`), a first full sync of BENCH_DEVICES devices through the real job against
 *
 *   baseline  the same pages fetched in series with depgate's DEP client (`/account`, the full
 *             fetch, the closing `/devices/sync`) and nothing written:
 *
 * the database work must hide behind Apple's latency (the engine asks for page N+1 while page N
 * commits). Result: latency-first-sync (ms, lower is better; target ratio <= 1.05).
 */
import type { DepClient } from '../src/apple/dep-client';
import { pageSizeFor } from '../src/sync/sync-engine';
import { DepTokenEntity } from '../src/tokens/token.entity';
import type { BenchContext } from './support/context';
import { runMs, simulatedServer, startDepgate, waitRun, type BenchDepgate } from './support/depgate';
import { benchResult, emit, note } from './support/result';
import { intFromEnv } from './support/sections';

const PAGE_PATHS = ['/server/devices', '/devices/sync'];

function delayPages(d: BenchDepgate, delayMs: number): void {
  d.sim.state.faults.clear();
  for (const path of PAGE_PATHS) d.sim.state.faults.add({ path, delayMs, count: 1_000_000 });
}

/** What the sync asks Apple for, in the same order, storing nothing. */
async function fetchOnly(client: DepClient): Promise<{ ms: number; pages: number }> {
  const started = Date.now();
  const account = await client.getAccount();
  const limit = pageSizeFor(account, '/server/devices');
  let pages = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await client.fetchDevices({ cursor, limit });
    pages++;
    cursor = page.cursor;
    if (!page.more_to_follow) break;
  }
  await client.syncDevices({ cursor: cursor!, limit: pageSizeFor(account, '/devices/sync') });
  return { ms: Date.now() - started, pages: pages + 1 };
}

export async function latencySection(ctx: BenchContext): Promise<void> {
  const delayMs = intFromEnv(process.env.BENCH_PAGE_DELAY_MS, 300);
  const d = await startDepgate(await ctx.db.createDatabase());
  try {
    const { upload } = await simulatedServer(d, ctx.devices);
    delayPages(d, delayMs);
    note(`latency: ${ctx.devices} devices, ${delayMs} ms a page`);
    const { tokenRowId } = await upload();
    const run = await waitRun(d, 'token_id = $1', [tokenRowId]);
    if (run.devices_added !== ctx.devices) throw new Error(`expected ${ctx.devices} devices added, got ${run.devices_added}`);

    const token = await d.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenRowId });
    delayPages(d, delayMs);
    const base = await fetchOnly(d.app.services.depClients.forToken(token));
    note(`latency: sync ${runMs(run)} ms, fetch alone ${base.ms} ms (${base.pages} pages)`);
    emit(benchResult('latency-first-sync', runMs(run), 'ms', base.ms, 'lower'));
  } finally {
    await d.stop();
  }
}
