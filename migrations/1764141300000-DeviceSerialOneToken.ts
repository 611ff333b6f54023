import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A serial lives under one token at a time: a device Apple moved to another MDM server, or a
 * serial assigned or imported under another token, moves its row instead of getting a second one.
 *
 * Existing duplicates are resolved first, keeping per serial the row that tells the most about the
 * device now: a live row before a tombstone, then the one a sync saw last, then the newest. The
 * others are deleted (nothing references a device row yet). Imported rows a sync has since seen
 * become SYNC, as the sync now does itself.
 *
 * The (token_id, serial_number) constraint stays: it is implied by the new one, and upserts written
 * against it elsewhere keep working while they move to ON CONFLICT (serial_number).
 */
export class DeviceSerialOneToken1764141300000 implements MigrationInterface {
  name = 'DeviceSerialOneToken1764141300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM devices d USING (
        SELECT id, row_number() OVER (
                 PARTITION BY serial_number
                 ORDER BY (deleted_at IS NULL) DESC, last_synced_at DESC NULLS LAST, updated_at DESC, id
               ) AS rank
          FROM devices
      ) ranked
      WHERE d.id = ranked.id AND ranked.rank > 1`);
    await q.query(`UPDATE devices SET source = 'SYNC' WHERE source = 'IMPORT' AND last_synced_at IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX devices_serial_number_key ON devices (serial_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices_serial_number_key`);
  }
}
