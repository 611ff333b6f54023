/**
 * page-write.ts: a page's devices, the cursor it came with and the run's counters are ONE statement
 * (one round trip of the page's transaction), with the same effects as the page statement, the
 * cursor save and `count` sent one by one.
 */
import { randomUUID } from 'node:crypto';
import type { IngestDevice } from '../../../src/sync/device-ingest';
import { writePage, writePageBookkeeping } from '../../../src/sync/page-write';
import { ingestPage } from '../../../src/sync/device-ingest';
import { SyncRunStore } from '../../../src/sync/sync-run.store';
import type { SqlRunner } from '../../../src/database/sql-runner';
import { uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { ingestDevice } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const listed = (serialNumber: string, model = 'iPhone 15'): IngestDevice => ingestDevice(serialNumber, { model });

/** A runner that counts the statements sent through it. */
function counting(db: SqlRunner): SqlRunner & { statements: number } {
  const runner = { statements: 0, query: (sql: string, params?: unknown[]) => (runner.statements++, db.query(sql, params)) };
  return runner;
}

it('writes the devices, saves the cursor and adds to the run in one statement', async () => {
  const token = await uploadToken(t, 'page-write');
  const run = await new SyncRunStore(t.clock).insert(t.app.dataSource, { tokenId: token.rowId, kind: 'FULL', trigger: 'MANUAL', fullSyncReason: null });
  const now = t.clock.now();
  const options = { tokenId: token.rowId, now, fetchId: randomUUID(), reviveDepgateTombstones: true, runId: run.id };
  const db = counting(t.app.dataSource);

  const first = await writePage(db, [listed('PAGEWRITE001'), listed('PAGEWRITE002')], options, {
    cursor: { kind: 'fetch', value: 'fetch-cursor-1' },
    issuedAt: now,
    devicesFetched: 2,
    devicesSkipped: 1,
    updatedAt: now,
  });
  expect(db.statements).toBe(1);
  expect(first.ingested).toEqual({ added: 2, modified: 0, deleted: 0, toAssign: [] });
  expect(first.runRow).toMatchObject({ id: run.id, pages_fetched: 1, devices_added: 2, devices_modified: 0, devices_fetched: 2, devices_skipped: 1 });
  const tokenState = async () =>
    (await t.app.dataSource.query(`SELECT fetch_cursor, sync_cursor, sync_cursor_issued_at FROM dep_tokens WHERE id = $1`, [token.rowId]))[0];
  expect(await tokenState()).toMatchObject({ fetch_cursor: 'fetch-cursor-1', sync_cursor: null });
  const stored = await t.app.dataSource.query(`SELECT serial_number, model FROM devices WHERE token_id = $1 ORDER BY serial_number`, [token.rowId]);
  expect(stored).toEqual([
    { serial_number: 'PAGEWRITE001', model: 'iPhone 15' },
    { serial_number: 'PAGEWRITE002', model: 'iPhone 15' },
  ]);

  // A sync page: the sync cursor and when it was issued; the fetch cursor stays.
  const later = new Date(now.getTime() + 60_000);
  const second = await writePage(db, [listed('PAGEWRITE002', 'iPhone 16')], { ...options, now: later, fetchId: null, reviveDepgateTombstones: false }, {
    cursor: { kind: 'sync', value: 'sync-cursor-1' },
    issuedAt: later,
    devicesFetched: 0,
    devicesSkipped: 0,
    updatedAt: later,
  });
  expect(db.statements).toBe(2);
  // Written by this run already: counted once (as added), not as modified too.
  expect(second.ingested).toMatchObject({ added: 0, modified: 0 });
  expect(second.runRow).toMatchObject({ pages_fetched: 2, devices_added: 2, devices_fetched: 2 });
  expect(second.runRow.updated_at).toEqual(later);
  expect(await tokenState()).toMatchObject({ fetch_cursor: 'fetch-cursor-1', sync_cursor: 'sync-cursor-1', sync_cursor_issued_at: later });

  // A page without a cursor saves none.
  await writePage(db, [listed('PAGEWRITE003')], options, { cursor: undefined, issuedAt: later, devicesFetched: 1, devicesSkipped: 0, updatedAt: later });
  expect(await tokenState()).toMatchObject({ fetch_cursor: 'fetch-cursor-1', sync_cursor: 'sync-cursor-1' });
});

it('split in two (a page written behind another), the devices and then the bookkeeping give what the one statement gives', async () => {
  const token = await uploadToken(t, 'page-write-split');
  const run = await new SyncRunStore(t.clock).insert(t.app.dataSource, { tokenId: token.rowId, kind: 'FULL', trigger: 'MANUAL', fullSyncReason: null });
  const now = t.clock.now();
  const options = { tokenId: token.rowId, now, fetchId: randomUUID(), reviveDepgateTombstones: true, runId: run.id };
  const bookkeeping = { cursor: { kind: 'fetch' as const, value: 'fetch-cursor-split' }, issuedAt: now, devicesFetched: 3, devicesSkipped: 1, updatedAt: now };

  const runRow = await t.app.dataSource.transaction(async (m) => {
    const ingested = await ingestPage(m, [listed('PAGESPLIT001'), listed('PAGESPLIT002'), listed('PAGESPLIT003')], options);
    expect(ingested).toEqual({ added: 3, modified: 0, deleted: 0, toAssign: [] });
    // Nothing of the bookkeeping yet: the page waits for its turn here.
    expect((await m.query(`SELECT fetch_cursor FROM dep_tokens WHERE id = $1`, [token.rowId]))[0].fetch_cursor).toBeNull();
    return writePageBookkeeping(m, ingested, options, bookkeeping);
  });
  expect(runRow).toMatchObject({ id: run.id, pages_fetched: 1, devices_added: 3, devices_modified: 0, devices_deleted: 0, devices_fetched: 3, devices_skipped: 1 });
  expect((await t.app.dataSource.query(`SELECT fetch_cursor FROM dep_tokens WHERE id = $1`, [token.rowId]))[0].fetch_cursor).toBe('fetch-cursor-split');
  expect(await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND last_fetch_id = $2`, [token.rowId, options.fetchId])).toEqual([{ n: 3 }]);
});
