/**
 * The migration that makes a serial live under one token resolves the duplicates existing data may
 * hold: per serial it keeps the live row, then the one a sync saw last, and turns imported rows a
 * sync has seen into SYNC, before the unique index goes on.
 */
import { DeviceSerialOneToken1764141300000 } from '../../../migrations/1764141300000-DeviceSerialOneToken';
import { DAY_MS } from '../../../src/clock';
import { uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

it('keeps one row per serial, the most telling one, and then refuses a second', async () => {
  const a = await uploadToken(t, 'dup-a');
  const b = await uploadToken(t, 'dup-b');
  const q = t.app.dataSource.createQueryRunner();
  await q.query(`DROP INDEX devices_serial_number_key`);
  const now = t.clock.now();
  const earlier = new Date(now.getTime() - DAY_MS);
  const insert = (token: string, serial: string, source: string, synced: Date | null, deleted: Date | null) =>
    q.query(
      `INSERT INTO devices (token_id, serial_number, source, last_synced_at, deleted_at, deleted_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE 'APPLE' END, $6, $6)`,
      [token, serial, source, synced, deleted, now],
    );
  // Live under B beats the tombstone under A; the last synced wins between two live rows; an
  // imported row a sync saw becomes SYNC.
  await insert(a.rowId, 'C02DUPLIVE01', 'SYNC', now, now);
  await insert(b.rowId, 'C02DUPLIVE01', 'SYNC', earlier, null);
  await insert(a.rowId, 'C02DUPSYNC01', 'SYNC', earlier, null);
  await insert(b.rowId, 'C02DUPSYNC01', 'IMPORT', now, null);
  await insert(a.rowId, 'C02ALONE0001', 'IMPORT', null, null);

  await new DeviceSerialOneToken1764141300000().up(q);
  const rows = await q.query(`SELECT serial_number, token_id, source FROM devices WHERE serial_number LIKE 'C02%' ORDER BY serial_number`);
  expect(rows).toEqual([
    { serial_number: 'C02ALONE0001', token_id: a.rowId, source: 'IMPORT' },
    { serial_number: 'C02DUPLIVE01', token_id: b.rowId, source: 'SYNC' },
    { serial_number: 'C02DUPSYNC01', token_id: b.rowId, source: 'SYNC' },
  ]);
  await expect(insert(b.rowId, 'C02ALONE0001', 'IMPORT', null, null)).rejects.toMatchObject({ code: '23505' });
  await q.release();
});
