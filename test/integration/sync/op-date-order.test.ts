/**
 * Spec §5: sync responses may repeat a device, and the latest op_date wins. Within a page that is
 * resolvePage's job; across pages (and runs) the page statement must not let an older event
 * overwrite a newer one.
 */
import { randomUUID } from 'node:crypto';
import { ingestPage, type IngestDevice } from '../../../src/sync/device-ingest';
import { uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { ingestDevice } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const event = (serialNumber: string, opType: 'added' | 'modified' | 'deleted', opDate: string, model = 'iPhone 15'): IngestDevice =>
  ingestDevice(serialNumber, { model, opType, opDate });

it('keeps the newest event when an older one arrives on a later page', async () => {
  const token = await uploadToken(t, 'op-dates');
  const page = (devices: IngestDevice[]) =>
    ingestPage(t.app.dataSource, devices, { tokenId: token.rowId, now: t.clock.now(), fetchId: null, reviveDepgateTombstones: false, runId: randomUUID() });
  const row = async () =>
    (await t.app.dataSource.query(`SELECT model, deleted_at, profile_status FROM devices WHERE token_id = $1 AND serial_number = 'OPDATE000001'`, [token.rowId]))[0];

  await page([event('OPDATE000001', 'added', '2026-11-26T10:00:00Z')]);
  await page([event('OPDATE000001', 'modified', '2026-11-26T10:05:00Z', 'iPhone 16')]);
  await page([event('OPDATE000001', 'deleted', '2026-11-26T10:01:00Z')]); // older than the modification
  expect(await row()).toMatchObject({ model: 'iPhone 16', deleted_at: null });

  await page([event('OPDATE000001', 'modified', '2026-11-26T10:02:00Z', 'iPhone 14')]); // stale too
  expect((await row()).model).toBe('iPhone 16');

  await page([event('OPDATE000001', 'deleted', '2026-11-26T11:00:00Z')]);
  await page([event('OPDATE000001', 'added', '2026-11-26T10:30:00Z')]); // older than the deletion
  expect(await row()).toMatchObject({ profile_status: 'REMOVED' });
  expect((await row()).deleted_at).not.toBeNull();
});
