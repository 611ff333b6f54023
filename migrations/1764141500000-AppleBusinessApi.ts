import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Apple School and Business API: accounts (API clients with a sealed P-256 key and a sealed,
 * reusable client assertion), the mirror of the organisation's devices, and the device
 * activities depgate created at Apple (polled until Apple completes them).
 */
export class AppleBusinessApi1764141500000 implements MigrationInterface {
  name = 'AppleBusinessApi1764141500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apple_business_accounts (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        client_id text NOT NULL UNIQUE,
        key_id text NOT NULL,
        scope text NOT NULL CHECK (scope IN ('BUSINESS', 'SCHOOL')),
        private_key_sealed text NOT NULL,
        assertion_sealed text,
        assertion_expires_at timestamptz(3),
        refused_at timestamptz(3),
        refused_reason text,
        inventory_synced_at timestamptz(3),
        inventory_sync_error text,
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX apple_business_accounts_list_idx ON apple_business_accounts (created_at, id)`);
    await q.query(`
      CREATE TABLE apple_business_account_scope_tags (
        apple_business_account_id uuid NOT NULL REFERENCES apple_business_accounts (id) ON DELETE CASCADE,
        scope_tag_id uuid NOT NULL REFERENCES scope_tags (id) ON DELETE RESTRICT,
        PRIMARY KEY (apple_business_account_id, scope_tag_id)
      )`);
    await q.query(`CREATE INDEX apple_business_account_scope_tags_tag_idx ON apple_business_account_scope_tags (scope_tag_id, apple_business_account_id)`);

    // MDM servers as Apple lists them, each under an id of ours (Apple's ids are opaque strings and
    // name no account); refreshed whenever mdmServers is read.
    await q.query(`
      CREATE TABLE apple_mdm_servers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES apple_business_accounts (id) ON DELETE CASCADE,
        apple_id text NOT NULL,
        server_name text NOT NULL,
        server_type text,
        status text,
        device_count integer,
        default_product_families text[] NOT NULL DEFAULT '{}',
        last_connected_at timestamptz(3),
        apple_created_at timestamptz(3),
        mirrored_at timestamptz(3) NOT NULL,
        UNIQUE (account_id, apple_id)
      )`);

    await q.query(`
      CREATE TABLE org_devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES apple_business_accounts (id) ON DELETE CASCADE,
        serial_number text NOT NULL,
        device_model text,
        product_family text,
        product_type text,
        device_capacity text,
        part_number text,
        order_number text,
        order_date_time timestamptz(3),
        color text,
        status text,
        assigned_server_id text,
        added_to_org_at timestamptz(3),
        apple_updated_at timestamptz(3),
        released_at timestamptz(3),
        purchase_source_type text,
        purchase_source_id text,
        imei text[],
        meid text[],
        eid text,
        wifi_mac_addresses text[],
        bluetooth_mac_addresses text[],
        ethernet_mac_addresses text[],
        mdm_migration_capable boolean,
        mdm_migration_status text,
        mdm_migration_deadline timestamptz(3),
        apple_care jsonb,
        apple_care_read_at timestamptz(3),
        mirrored_at timestamptz(3) NOT NULL,
        UNIQUE (account_id, serial_number)
      )`);
    await q.query(`CREATE INDEX org_devices_serial_idx ON org_devices (serial_number)`);
    await q.query(`CREATE INDEX org_devices_order_idx ON org_devices (account_id, order_number, serial_number)`);
    await q.query(`CREATE INDEX org_devices_server_idx ON org_devices (account_id, assigned_server_id, serial_number)`);

    await q.query(`
      CREATE TABLE org_device_activities (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES apple_business_accounts (id) ON DELETE CASCADE,
        apple_activity_id text NOT NULL,
        activity_type text NOT NULL,
        mdm_server_id text,
        status text NOT NULL,
        sub_status text,
        serial_numbers text[] NOT NULL,
        migration_deadline timestamptz(3),
        outcomes jsonb,
        poll_count integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz(3) NOT NULL,
        completed_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX org_device_activities_list_idx ON org_device_activities (account_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE org_device_activities`);
    await q.query(`DROP TABLE org_devices`);
    await q.query(`DROP TABLE apple_mdm_servers`);
    await q.query(`DROP TABLE apple_business_account_scope_tags`);
    await q.query(`DROP TABLE apple_business_accounts`);
  }
}
