/**
 * Device search (serial, model, description; ILIKE '%…%') must be answerable from the trigram
 * index on large fleets. Planner choice on an empty table is a seq scan, so the test switches seq
 * scans off and checks that the index serves the very predicate the service builds.
 */
import { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source';
import { createTestDatabase, type TestDatabase } from '../../support/database-server';

let db: TestDatabase;
let ds: DataSource;
beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, { poolSize: 1 });
  await ds.initialize();
});
afterAll(async () => {
  await ds.destroy();
  await db.drop();
});

it('serves the search predicate from devices_search_trgm_idx', async () => {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET enable_seqscan = off');
    const plan: { 'QUERY PLAN': string }[] = await runner.query(
      `EXPLAIN SELECT id FROM devices d WHERE (d.serial_number ILIKE $1 OR d.model ILIKE $1 OR d.description ILIKE $1)`,
      ['%C02XK%'],
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/devices_search_trgm_idx/);
  } finally {
    await runner.release();
  }
});
