/**
 * Section `ingest`: a first full sync and a full resync of BENCH_DEVICES devices through the real
 * job, against the floor a careful hand-written importer reaches on the same pages:
 *
 *   baseline  the same simulator pages over HTTP (depgate's DEP client alone, no engine), each page
 *             stored with ONE `INSERT ... SELECT FROM unnest(...) ON CONFLICT` into
 *             `CREATE TABLE ... (LIKE devices INCLUDING ALL)` (same indexes), fetch and write in
 *             series; the resync runs the same pages again over the filled copy (the UPDATE path).
 *
 * depgate syncs in a Node process of its own (support/depgate-process.ts) and the simulator stays in
 * the bench process, so the RSS figures are the server's alone (until 2026-12-03 the three shared
 * one process, and the simulator's fleet was in the figure). The baseline runs in the bench process
 * afterwards, through an instance started without sync workers, while the server process is gone.
 *
 * Results: ingest-first-sync, ingest-resync (devices/s, higher is better); then a first sync of
 * BENCH_RSS_DEVICES (default 200,000) on its own database: the server process's peak RSS against
 * its RSS before the sync, and what the sync adds at that size against what it added at
 * BENCH_DEVICES (1.0 = flat in fleet size).
 */
import type { DepDevice } from '../src/apple/dep.types';
import { resolvePage } from '../src/sync/device-ingest';
import { DepTokenEntity } from '../src/tokens/token.entity';
import { fullResync, startDepgate, runMs, simulatedServer, waitRun, type BenchDepgate } from './support/depgate';
import { forkDepgate } from './support/depgate-process';
import type { BenchContext } from './support/context';
import { MB } from './support/memory';
import { benchResult, emit, note } from './support/result';

const PAGE = 1000;

const UNNEST_UPSERT = `
  INSERT INTO bench_devices (token_id, serial_number, model, description, color, asset_tag, os, device_family, profile_status,
         apple_profile_uuid, profile_assigned_at, profile_pushed_at, device_assigned_at, device_assigned_by, source,
         last_synced_at, created_at, updated_at)
  SELECT $1, u.serial_number, u.model, u.description, u.color, u.asset_tag, u.os, u.device_family, u.profile_status,
         u.apple_profile_uuid, u.profile_assigned_at, u.profile_pushed_at, u.device_assigned_at, u.device_assigned_by, 'SYNC', $2, $2, $2
    FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[])
      AS u(serial_number, model, description, color, asset_tag, os, device_family, profile_status, apple_profile_uuid,
           profile_assigned_at, profile_pushed_at, device_assigned_at, device_assigned_by)
  ON CONFLICT (serial_number) DO UPDATE SET model = EXCLUDED.model, description = EXCLUDED.description,
         color = EXCLUDED.color, asset_tag = EXCLUDED.asset_tag, os = EXCLUDED.os, device_family = EXCLUDED.device_family,
         profile_status = EXCLUDED.profile_status, apple_profile_uuid = EXCLUDED.apple_profile_uuid,
         profile_assigned_at = EXCLUDED.profile_assigned_at, profile_pushed_at = EXCLUDED.profile_pushed_at,
         device_assigned_at = EXCLUDED.device_assigned_at, device_assigned_by = EXCLUDED.device_assigned_by,
         last_synced_at = EXCLUDED.last_synced_at, updated_at = EXCLUDED.updated_at`;

async function baselinePass(d: BenchDepgate, tokenRowId: string): Promise<{ ms: number; devices: number }> {
  const token = await d.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenRowId });
  const client = d.app.services.depClients.forToken(token);
  const started = Date.now();
  let written = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await client.fetchDevices({ cursor, limit: PAGE });
    const { devices } = resolvePage(page.devices as DepDevice[]);
    const col = <K extends keyof (typeof devices)[number]>(k: K) => devices.map((x) => x[k]);
    await d.app.dataSource.query(UNNEST_UPSERT, [
      tokenRowId,
      new Date(),
      col('serialNumber'),
      col('model'),
      col('description'),
      col('color'),
      col('assetTag'),
      col('os'),
      col('deviceFamily'),
      col('profileStatus'),
      col('appleProfileUuid'),
      col('profileAssignedAt'),
      col('profilePushedAt'),
      col('deviceAssignedAt'),
      col('deviceAssignedBy'),
    ]);
    written += devices.length;
    cursor = page.cursor;
    if (!page.more_to_follow) break;
  }
  return { ms: Date.now() - started, devices: written };
}

export async function ingestSection(ctx: BenchContext): Promise<void> {
  const devices = ctx.devices;
  const databaseUrl = await ctx.db.createDatabase();
  const server = await forkDepgate(databaseUrl);
  let d: BenchDepgate | undefined;
  try {
    const { upload } = await simulatedServer(server, devices);
    note(`ingest: ${devices} simulated devices, pages of ${PAGE}`);

    // The engine: the first sync after the upload (every device inserted), then a full resync.
    const measured = await server.target.measure(async () => {
      const { tokenId, tokenRowId } = await upload();
      const first = await waitRun(server, 'token_id = $1', [tokenRowId]);
      if (first.devices_added !== devices) throw new Error(`expected ${devices} devices added, got ${first.devices_added}`);
      const resync = await fullResync(server, tokenId);
      return { tokenRowId, firstMs: runMs(first), resyncMs: runMs(resync) };
    });
    const { tokenRowId, firstMs, resyncMs } = measured.result;
    const rssBefore = measured.server.rssBefore;
    await server.stop({ keepSim: true });

    // The baseline on the same pages, into a copy of the table with the same indexes, through an
    // instance of the same deployment (its DEP client reads the stored token) that syncs nothing.
    d = await startDepgate(databaseUrl, server.env, { sim: server.sim, sync: false });
    await d.app.dataSource.query(`CREATE TABLE bench_devices (LIKE devices INCLUDING ALL)`);
    const baseFirst = await baselinePass(d, tokenRowId);
    const baseResync = await baselinePass(d, tokenRowId);

    const [{ n }] = await d.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND deleted_at IS NULL`, [tokenRowId]);
    if (n !== devices) throw new Error(`depgate holds ${n} devices, the simulator ${devices}`);

    const perSecond = (count: number, ms: number) => (count / ms) * 1000;
    emit(benchResult('ingest-first-sync', perSecond(devices, firstMs), 'devices/s', perSecond(baseFirst.devices, baseFirst.ms), 'higher'));
    emit(benchResult('ingest-resync', perSecond(devices, resyncMs), 'devices/s', perSecond(baseResync.devices, baseResync.ms), 'higher'));
    note(`ingest: server peak RSS ${(measured.server.peakRss / MB).toFixed(0)} MB syncing ${devices} devices (${(rssBefore / MB).toFixed(0)} MB before)`);
    const rss = await firstSyncRss(ctx, ctx.rssDevices);
    note(`ingest: server peak RSS ${(rss.peakRss / MB).toFixed(0)} MB syncing ${ctx.rssDevices} devices (${(rss.rssBefore / MB).toFixed(0)} MB before)`);
    // Flat in fleet size: what the sync adds at the large fleet against what it adds at BENCH_DEVICES.
    emit(benchResult(`ingest-peak-rss-${ctx.rssDevices}`, rss.peakRss / MB, 'MB', rss.rssBefore / MB, 'lower'));
    emit(benchResult(`ingest-rss-growth-${ctx.rssDevices}`, (rss.peakRss - rss.rssBefore) / MB, 'MB', (measured.server.peakRss - rssBefore) / MB, 'lower'));
  } finally {
    await d?.stop();
    await server.stop();
  }
}

/** A first sync of a large fleet on its own database, for the server process's peak RSS while it runs. */
async function firstSyncRss(ctx: BenchContext, devices: number) {
  const server = await forkDepgate(await ctx.db.createDatabase());
  try {
    const { upload } = await simulatedServer(server, devices);
    const { server: measured } = await server.target.measure(async () => {
      const { tokenRowId } = await upload();
      await waitRun(server, 'token_id = $1', [tokenRowId]);
    });
    return measured;
  } finally {
    await server.stop();
  }
}
