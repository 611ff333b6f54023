import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three indexes on devices that no query needs any more, each maintained on every row a sync
 * writes (a resync's update changes `last_synced_at`, which is indexed, so none of its updates is
 * HOT and every index of the table takes a new entry per device):
 * - `UNIQUE (token_id, serial_number)`: since DeviceSerialOneToken a serial is unique on its own
 *   (`devices_serial_number_key`, the target of every `ON CONFLICT`), which implies this one;
 *   lookups by token and serial use the serial's index.
 * - `devices_serial_idx (serial_number text_pattern_ops, id)`: the serial-prefix filter compares
 *   `serial_number COLLATE "C"`, served by `devices_list_idx` and `devices_token_list_idx`.
 * - `devices_profile_idx (profile_id) WHERE profile_id IS NOT NULL`: `devices_profile_list_idx`
 *   leads with the same column under the same predicate.
 * bench/large.ts fails if a device query's plan turns into a sequential scan.
 */
export class DropRedundantDeviceIndexes1764141830000 implements MigrationInterface {
  name = 'DropRedundantDeviceIndexes1764141830000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices DROP CONSTRAINT devices_token_id_serial_number_key`);
    await q.query(`DROP INDEX devices_serial_idx`);
    await q.query(`DROP INDEX devices_profile_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX devices_profile_idx ON devices (profile_id) WHERE profile_id IS NOT NULL`);
    await q.query(`CREATE INDEX devices_serial_idx ON devices (serial_number text_pattern_ops, id)`);
    await q.query(`ALTER TABLE devices ADD CONSTRAINT devices_token_id_serial_number_key UNIQUE (token_id, serial_number)`);
  }
}
