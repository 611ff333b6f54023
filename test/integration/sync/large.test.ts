/**
 * A 20,000-device MDM server: the first (full) sync and a delta with thousands of changes end with
 * depgate holding exactly what the simulator holds, compared serial by serial (and field by field),
 * with one device statement per page (never one per device).
 */
import { Client } from 'pg';
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { requestSync, runs, tokenRow, uploadToken, waitForIdle, waitForRun } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const DEVICES = 20_000;

/** Every SQL statement text the process sends while `fn` runs. */
async function recordStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  (Client.prototype as any).query = function (this: Client, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    if (typeof text === 'string') statements.push(text);
    return (original as any).apply(this, args);
  };
  try {
    return { result: await fn(), statements };
  } finally {
    Client.prototype.query = original;
  }
}

interface Side {
  serial: string;
  model: string | null;
  os: string | null;
  family: string | null;
  color: string | null;
  assetTag: string | null;
  status: string;
}

async function appleSide(serverUuid: string): Promise<Side[]> {
  const { devices } = await t.simControl('GET', `/_sim/servers/${serverUuid}/devices?full=true`);
  return (devices as any[])
    .map((d) => ({
      serial: d.serial_number,
      model: d.model ?? null,
      os: d.os ?? null,
      family: d.device_family ?? null,
      color: d.color ?? null,
      assetTag: d.asset_tag ?? null,
      status: String(d.profile_status ?? 'empty').toUpperCase(),
    }))
    .sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}

async function depgateSide(tokenRowId: string): Promise<Side[]> {
  const rows: any[] = await t.app.dataSource.query(
    `SELECT serial_number, model, os, device_family, color, asset_tag, profile_status FROM devices
      WHERE token_id = $1 AND deleted_at IS NULL AND last_synced_at IS NOT NULL`,
    [tokenRowId],
  );
  return rows
    .map((r) => ({ serial: r.serial_number, model: r.model, os: r.os, family: r.device_family, color: r.color, assetTag: r.asset_tag, status: r.profile_status }))
    .sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}

function compare(depgate: Side[], apple: Side[]): void {
  expect(depgate.length).toBe(apple.length);
  const mismatches: string[] = [];
  for (let i = 0; i < apple.length; i++) {
    if (JSON.stringify(depgate[i]) !== JSON.stringify(apple[i])) mismatches.push(`${apple[i].serial}: ${JSON.stringify(depgate[i])} != ${JSON.stringify(apple[i])}`);
    if (mismatches.length > 5) break;
  }
  expect(mismatches).toEqual([]);
}

it('syncs 20,000 devices, then thousands of changes, ending with exactly the simulator’s set', async () => {
  const { result: token, statements } = await recordStatements(() => uploadToken(t, { devices: DEVICES }));
  const [first] = await runs(t, token.rowId);
  expect(first).toMatchObject({ kind: 'FULL', status: 'SUCCEEDED', devices_added: DEVICES, pages_fetched: 20 + 1 });
  // One statement writes a page's devices: 20 fetch pages, plus the sync page (empty: no statement).
  expect(statements.filter((s) => /INSERT INTO devices/.test(s))).toHaveLength(20);
  expect(statements.filter((s) => /^\s*(INSERT|UPDATE|DELETE)\b[^;]*\bdevices\b/i.test(s) && !/INSERT INTO devices|sweep|deleted_at = \$3/.test(s))).toHaveLength(0);
  compare(await depgateSide(token.rowId), await appleSide(token.serverUuid));
  expect((await tokenRow(t, token.rowId)).synced_device_count).toBe(DEVICES);

  // Thousands of changes of every kind, some devices changed twice.
  const serials = token.serials;
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: serials.slice(0, 3000), changes: { color: 'Blue', asset_tag: 'T-1' } });
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: serials.slice(1000, 2000), changes: { os: 'iPadOS', asset_tag: null } });
  await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: serials.slice(5000, 6500) });
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2500 });
  t.clock.advance(15 * MINUTE_MS);
  const run = await waitForRun(t, await requestSync(t, token), undefined, 60_000);
  expect(run).toMatchObject({ kind: 'DELTA', status: 'SUCCEEDED', devices_added: 2500, devices_modified: 3000, devices_deleted: 1500 });
  compare(await depgateSide(token.rowId), await appleSide(token.serverUuid));
  const { n } = (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1`, [token.rowId]))[0];
  expect(n).toBe(DEVICES + 2500); // deleted devices are kept (with deletedAt), none doubled
  await waitForIdle(t, token.rowId);
}, 120_000);
