/**
 * The alert_kinds table (what alerts.kind references) and the AlertKind enum name the same kinds:
 * a feature that adds a kind to the enum without a migration inserting it would fail on its first
 * INSERT in production, so it fails here first.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { AlertKind } from '../../../src/alerts/alert.types';
import { createTestDatabase, type TestDatabase } from '../../support/database-server';

let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

test('every AlertKind has a row in alert_kinds, and every row is an AlertKind', async () => {
  const { rows } = await client.query<{ kind: string }>('SELECT kind FROM alert_kinds ORDER BY kind');
  expect(rows.map((r) => r.kind)).toEqual(Object.values(AlertKind).sort());
});

test('an alert of a kind that is not in alert_kinds is refused by the database', async () => {
  await expect(
    client.query(
      `INSERT INTO alerts (id, kind, severity, subject_id, subject_name, message, raised_at)
       VALUES (gen_random_uuid(), 'NO_SUCH_KIND', 'INFO', gen_random_uuid(), 'x', 'x', now())`,
    ),
  ).rejects.toThrow(/alerts_kind_fkey/);
});

test("a token alert's subject_id must be that token's id", async () => {
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM dep_tokens LIMIT 1`);
  // No token in a fresh database: the check is enforced on the columns alone, so a made-up id shows it.
  expect(rows).toEqual([]);
  await expect(
    client.query(
      `INSERT INTO alerts (id, kind, severity, subject_id, vpp_token_id, subject_name, message, raised_at)
       VALUES (gen_random_uuid(), 'VPP_TOKEN_EXPIRED', 'CRITICAL', gen_random_uuid(), gen_random_uuid(), 'x', 'x', now())`,
    ),
  ).rejects.toThrow(/alerts_token_subject_check|alerts_vpp_token_id_fkey/);
});
