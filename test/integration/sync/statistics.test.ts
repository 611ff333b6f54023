/**
 * A sync that writes the devices table in bulk refreshes its planner statistics itself (ANALYZE),
 * so the list and search are planned for the table's real size even where autovacuum is off or
 * has not come round yet (issue #15).
 */
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadToken } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

it('analyses the devices table after a first sync fills it', async () => {
  const before = await t.app.dataSource.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'devices'::regclass`);
  expect(Number(before[0].n)).toBeLessThanOrEqual(0); // never analysed: planned as if empty
  await uploadToken(t, { devices: 3000 });
  const [row] = await t.app.dataSource.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'devices'::regclass`);
  expect(Number(row.n)).toBe(3000);
});
