import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the device listing's keyset order. Devices are listed by serial number in byte order
 * (`COLLATE "C"`: Apple's upper-case serials sort the same on every database locale) then id, for
 * all visible devices, per token and per profile; the same indexes serve serialNumberPrefix
 * (`LIKE 'ABC%'` under the C collation). The (token, serial) unique key and the text_pattern_ops
 * index of 1764140200000 cannot serve ORDER BY under the C collation.
 */
export class DeviceListIndexes1764140250000 implements MigrationInterface {
  name = 'DeviceListIndexes1764140250000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX devices_list_idx ON devices ((serial_number COLLATE "C"), id)`);
    await q.query(`CREATE INDEX devices_token_list_idx ON devices (token_id, (serial_number COLLATE "C"), id)`);
    await q.query(`CREATE INDEX devices_profile_list_idx ON devices (profile_id, (serial_number COLLATE "C"), id) WHERE profile_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices_profile_list_idx`);
    await q.query(`DROP INDEX devices_token_list_idx`);
    await q.query(`DROP INDEX devices_list_idx`);
  }
}
