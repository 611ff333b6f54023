/**
 * `npm run bench`: the sync engine pulling a large MDM server from the Apple simulator (over HTTP)
 * into PostgreSQL, measured against in-process baselines on the same machine, so that the result
 * reads as ratios rather than machine-dependent absolute numbers.
 *
 *   engine, first full sync   uploadDepToken -> the real job -> fetch pages -> one upsert per page
 *   engine, full resync       the same devices again (every row takes the UPDATE path)
 *   baseline, fetch only      the same pages over HTTP, nothing written (the floor)
 *   baseline, per device      the same pages over HTTP, one INSERT ... ON CONFLICT per device
 *                             (a transaction per page) into a copy of the devices table
 *
 * Environment: BENCH_DEVICES (default 100000), DATABASE_URL (else an embedded PostgreSQL in a
 * temporary folder), BENCH_SKIP_PER_DEVICE=1 to skip the slowest baseline.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startApp, type App } from '../src/app';
import type { DepDevice } from '../src/apple/dep.types';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres';
import { createLogger } from '../src/logger';
import { startSimulator, type RunningSimulator } from '../src/simulator';
import { resolvePage } from '../src/sync/device-ingest';
import { DepTokenEntity } from '../src/tokens/token.entity';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const PAGE = 1000;

interface Measure {
  name: string;
  ms: number;
  devices: number;
}

function report(measures: Measure[]): void {
  const rows = measures.map((m) => ({ ...m, perSecond: Math.round((m.devices / m.ms) * 1000) }));
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\nsync of ${DEVICES.toLocaleString('en-US')} devices (pages of ${PAGE}), Node ${process.version}, ${os.cpus().length} CPUs\n\n`);
  for (const r of rows) {
    process.stdout.write(`  ${r.name.padEnd(width)}  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.perSecond.toLocaleString('en-US').padStart(9)} devices/s\n`);
  }
  const get = (name: string) => rows.find((r) => r.name === name);
  const engine = get('engine, first full sync')!;
  const resync = get('engine, full resync')!;
  const fetchOnly = get('baseline, fetch only')!;
  const perDevice = get('baseline, one statement per device');
  process.stdout.write('\nratios\n');
  if (perDevice) {
    process.stdout.write(`  per-device statements / engine first sync  ${(perDevice.ms / engine.ms).toFixed(2)}x  (the engine is this many times faster)\n`);
    process.stdout.write(`  per-device statements / engine resync      ${(perDevice.ms / resync.ms).toFixed(2)}x\n`);
  }
  process.stdout.write(`  engine first sync / fetch only             ${(engine.ms / fetchOnly.ms).toFixed(2)}x  (1.00 = writing costs nothing over downloading)\n`);
  process.stdout.write(`  engine resync / fetch only                 ${(resync.ms / fetchOnly.ms).toFixed(2)}x\n\n`);
}

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl = process.env.DATABASE_URL;
  let tmp: string | undefined;
  if (!serverUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-bench-'));
    fs.chmodSync(tmp, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), database: 'postgres' });
    serverUrl = embedded.url;
  }
  const dbName = `depgate_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(serverUrl);
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;

  let sim: RunningSimulator | undefined;
  let app: App | undefined;
  const measures: Measure[] = [];
  try {
    sim = await startSimulator({ port: 0, host: '127.0.0.1' });
    const key = `dg_bench_${randomBytes(16).toString('hex')}`;
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl.toString(),
      SECRET_KEY: randomBytes(32).toString('hex'),
      BOOTSTRAP_API_KEY: key,
      APPLE_DEP_API_URL: sim.url,
      LOG_LEVEL: 'warn',
      FULL_SYNC_MIN_INTERVAL_S: '0',
      MANUAL_SYNC_MIN_INTERVAL_S: '0',
    });
    app = await startApp(config, { logger: createLogger('warn') });
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(app!.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as any;
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const db = app.dataSource;

    const keyPair = (await gql(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
      .createDepTokenKeyPair.keyPair;
    const server = sim.state.createServer({ certificatePem: keyPair.certificatePem, orgName: 'Bench Corp', serverName: 'Bench MDM' });
    const generated = Date.now();
    sim.state.generateDevices(server.server, DEVICES, {});
    process.stdout.write(`simulator: ${DEVICES} devices generated in ${Date.now() - generated} ms\n`);

    const waitRun = async (predicate: string, params: unknown[]): Promise<{ started_at: Date; finished_at: Date; status: string; devices_added: number }> => {
      for (;;) {
        const [run] = await db.query(`SELECT * FROM sync_runs WHERE ${predicate} ORDER BY seq DESC LIMIT 1`, params);
        if (run && ['SUCCEEDED', 'FAILED', 'TIMED_OUT'].includes(run.status)) {
          if (run.status !== 'SUCCEEDED') throw new Error(`bench run ${run.status}: ${run.error_code} ${run.error_message}`);
          return run;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // 1. The engine: the first sync after the upload (every device inserted).
    const up = await gql(`mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
      input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'bench@example.com' },
    });
    const tokenId = up.uploadDepToken.token.id;
    const tokenRowId = Buffer.from(tokenId, 'base64url').toString('utf8').split(':')[1];
    const first = await waitRun('token_id = $1', [tokenRowId]);
    if (first.devices_added !== DEVICES) throw new Error(`expected ${DEVICES} devices added, got ${first.devices_added}`);
    measures.push({ name: 'engine, first full sync', ms: first.finished_at.getTime() - first.started_at.getTime(), devices: DEVICES });

    // 2. The engine again: a full sync over the same devices (every row updated).
    const again = await gql(`mutation ($id: ID!) { syncDepToken(input: {tokenId: $id, full: true}) { syncRun { id } } }`, { id: tokenId });
    const againRowId = Buffer.from(again.syncDepToken.syncRun.id, 'base64url').toString('utf8').split(':')[1];
    const resync = await waitRun('id = $1', [againRowId]);
    measures.push({ name: 'engine, full resync', ms: resync.finished_at.getTime() - resync.started_at.getTime(), devices: DEVICES });

    const token = await db.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenRowId });
    const client = app.services.depClients.forToken(token);
    const eachPage = async (onPage: (devices: DepDevice[]) => Promise<void>) => {
      let cursor: string | undefined;
      for (;;) {
        const page = await client.fetchDevices({ cursor, limit: PAGE });
        await onPage(page.devices);
        cursor = page.cursor;
        if (!page.more_to_follow) return;
      }
    };

    // 3. Baseline: the same pages, downloaded and parsed, nothing written.
    let t0 = Date.now();
    let fetched = 0;
    await eachPage(async (devices) => {
      fetched += resolvePage(devices).devices.length;
    });
    measures.push({ name: 'baseline, fetch only', ms: Date.now() - t0, devices: fetched });

    // 4. Baseline: the same pages, one statement per device (a transaction per page).
    if (process.env.BENCH_SKIP_PER_DEVICE !== '1') {
      await db.query(`CREATE TABLE bench_devices (LIKE devices INCLUDING ALL)`);
      const runner = db.createQueryRunner();
      await runner.connect();
      t0 = Date.now();
      let written = 0;
      await eachPage(async (devices) => {
        const now = new Date();
        await runner.startTransaction();
        for (const d of resolvePage(devices).devices) {
          await runner.query(
            `INSERT INTO bench_devices (token_id, serial_number, model, description, color, asset_tag, os, device_family, profile_status,
                    apple_profile_uuid, profile_assigned_at, profile_pushed_at, device_assigned_at, device_assigned_by, source, last_synced_at,
                    created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'SYNC', $15, $15, $15)
             ON CONFLICT (token_id, serial_number) DO UPDATE SET model = EXCLUDED.model, description = EXCLUDED.description,
                    color = EXCLUDED.color, asset_tag = EXCLUDED.asset_tag, os = EXCLUDED.os, device_family = EXCLUDED.device_family,
                    profile_status = EXCLUDED.profile_status, apple_profile_uuid = EXCLUDED.apple_profile_uuid,
                    profile_assigned_at = EXCLUDED.profile_assigned_at, profile_pushed_at = EXCLUDED.profile_pushed_at,
                    device_assigned_at = EXCLUDED.device_assigned_at, device_assigned_by = EXCLUDED.device_assigned_by,
                    last_synced_at = EXCLUDED.last_synced_at, updated_at = EXCLUDED.updated_at`,
            [
              tokenRowId,
              d.serialNumber,
              d.model,
              d.description,
              d.color,
              d.assetTag,
              d.os,
              d.deviceFamily,
              d.profileStatus,
              d.appleProfileUuid,
              d.profileAssignedAt,
              d.profilePushedAt,
              d.deviceAssignedAt,
              d.deviceAssignedBy,
              now,
            ],
          );
          written++;
        }
        await runner.commitTransaction();
      });
      measures.push({ name: 'baseline, one statement per device', ms: Date.now() - t0, devices: written });
      await runner.release();
    }

    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND deleted_at IS NULL`, [tokenRowId]);
    if (n !== DEVICES) throw new Error(`depgate holds ${n} devices, the simulator ${DEVICES}`);
    report(measures);
  } finally {
    await app?.stop();
    await sim?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
