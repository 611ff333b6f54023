import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the orders lists take (`orderBy`, issue #10), so every order reads a page straight
 * from an index (forwards or, for DESC and `last`, backwards) instead of sorting the table. Each
 * holds exactly the expression the list orders by (src/devices/device.order.ts and friends;
 * nullable columns are ordered as COALESCE(column, lowest value), see keySql in
 * src/graphql/keyset.ts), then the id that breaks ties. Devices get one index for all devices and
 * one per token (DepToken.devices, devices(filter: {tokenId})); serial number order already has
 * both (1764140250000), sync runs have (token_id, seq) since 1764140300000.
 */
const DEVICE_ORDERS: [name: string, expression: string][] = [
  ['model', `(COALESCE(model, ''))`],
  ['status', `profile_status`],
  ['synced', `(COALESCE(last_synced_at, CAST('-infinity' AS timestamptz)))`],
  ['assigned', `(COALESCE(device_assigned_at, CAST('-infinity' AS timestamptz)))`],
];

export class ListOrderIndexes1764140600000 implements MigrationInterface {
  name = 'ListOrderIndexes1764140600000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, expression] of DEVICE_ORDERS) {
      await q.query(`CREATE INDEX devices_${name}_list_idx ON devices (${expression}, id)`);
      await q.query(`CREATE INDEX devices_token_${name}_list_idx ON devices (token_id, ${expression}, id)`);
    }
    await q.query(`CREATE INDEX dep_tokens_name_list_idx ON dep_tokens (name, id)`);
    await q.query(`CREATE INDEX dep_tokens_expires_list_idx ON dep_tokens (expires_at, id)`);
    await q.query(
      `CREATE INDEX alerts_severity_list_idx ON alerts ((CASE severity WHEN 'WARNING' THEN 1 WHEN 'CRITICAL' THEN 2 ELSE 0 END), raised_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_severity_list_idx`);
    await q.query(`DROP INDEX dep_tokens_expires_list_idx`);
    await q.query(`DROP INDEX dep_tokens_name_list_idx`);
    for (const [name] of [...DEVICE_ORDERS].reverse()) {
      await q.query(`DROP INDEX devices_token_${name}_list_idx`);
      await q.query(`DROP INDEX devices_${name}_list_idx`);
    }
  }
}
