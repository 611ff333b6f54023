import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrollment profiles, Apple Configurator certificates, and devices. Devices are keyed by
 * (token, serial) so a sync page upserts in one statement; indexes follow the listing filters.
 */
export class ProfilesAndDevices1764140200000 implements MigrationInterface {
  name = 'ProfilesAndDevices1764140200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apple_configurator_certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text,
        certificate_pem text NOT NULL,
        der_base64 text NOT NULL,
        subject text NOT NULL,
        thumbprint_sha256 text NOT NULL UNIQUE,
        not_before timestamptz(3) NOT NULL,
        not_after timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL
      )`);
    await q.query(`
      CREATE TABLE enrollment_profiles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_id uuid NOT NULL REFERENCES dep_tokens (id) ON DELETE RESTRICT,
        name text NOT NULL,
        description text,
        user_affinity text NOT NULL CHECK (user_affinity IN ('WITH_USER', 'WITHOUT_USER')),
        authentication_method text CHECK (authentication_method IN ('COMPANY_PORTAL', 'SETUP_ASSISTANT')),
        install_company_portal boolean NOT NULL DEFAULT false,
        company_portal_vpp_token_id uuid,
        single_app_mode_until_authentication boolean NOT NULL DEFAULT false,
        supervised boolean NOT NULL DEFAULT true,
        locked_enrollment boolean NOT NULL DEFAULT false,
        await_final_configuration boolean NOT NULL DEFAULT false,
        sync_with_computers text NOT NULL DEFAULT 'DENY_ALL' CHECK (sync_with_computers IN ('ALLOW_ALL', 'DENY_ALL', 'ALLOW_BY_CERTIFICATE')),
        device_name_template text,
        department_name text,
        department_phone text,
        hidden_setup_panes text[] NOT NULL DEFAULT '{}',
        apple_profile_uuid text,
        apple_defined_at timestamptz(3),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX enrollment_profiles_token_idx ON enrollment_profiles (token_id, created_at, id)`);
    await q.query(`CREATE UNIQUE INDEX enrollment_profiles_apple_uuid_key ON enrollment_profiles (apple_profile_uuid) WHERE apple_profile_uuid IS NOT NULL`);
    await q.query(`
      CREATE TABLE enrollment_profile_certificates (
        profile_id uuid NOT NULL REFERENCES enrollment_profiles (id) ON DELETE CASCADE,
        certificate_id uuid NOT NULL REFERENCES apple_configurator_certificates (id) ON DELETE RESTRICT,
        PRIMARY KEY (profile_id, certificate_id)
      )`);
    await q.query(`ALTER TABLE dep_tokens ADD COLUMN default_profile_id uuid REFERENCES enrollment_profiles (id) ON DELETE SET NULL`);
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_id uuid NOT NULL REFERENCES dep_tokens (id) ON DELETE RESTRICT,
        serial_number text NOT NULL,
        model text,
        description text,
        color text,
        asset_tag text,
        os text,
        device_family text,
        profile_status text NOT NULL DEFAULT 'EMPTY' CHECK (profile_status IN ('EMPTY', 'ASSIGNED', 'PUSHED', 'REMOVED')),
        apple_profile_uuid text,
        profile_id uuid REFERENCES enrollment_profiles (id) ON DELETE SET NULL,
        requested_profile_id uuid REFERENCES enrollment_profiles (id) ON DELETE SET NULL,
        profile_assigned_at timestamptz(3),
        profile_pushed_at timestamptz(3),
        device_assigned_at timestamptz(3),
        device_assigned_by text,
        source text NOT NULL CHECK (source IN ('SYNC', 'IMPORT')),
        last_op_type text,
        last_op_date timestamptz(3),
        last_synced_at timestamptz(3),
        last_assignment_result text CHECK (last_assignment_result IN ('SUCCESS', 'NOT_ACCESSIBLE', 'FAILED', 'THROTTLED')),
        last_assignment_at timestamptz(3),
        assignment_failure_count integer NOT NULL DEFAULT 0,
        next_assignment_retry_at timestamptz(3),
        deleted_at timestamptz(3),
        deleted_by text CHECK (deleted_by IN ('APPLE', 'DEPGATE')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (token_id, serial_number)
      )`);
    await q.query(`CREATE INDEX devices_serial_idx ON devices (serial_number text_pattern_ops, id)`);
    await q.query(`CREATE INDEX devices_profile_idx ON devices (profile_id) WHERE profile_id IS NOT NULL`);
    await q.query(`CREATE INDEX devices_requested_profile_idx ON devices (requested_profile_id) WHERE requested_profile_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE devices`);
    await q.query(`ALTER TABLE dep_tokens DROP COLUMN default_profile_id`);
    await q.query(`DROP TABLE enrollment_profile_certificates`);
    await q.query(`DROP TABLE enrollment_profiles`);
    await q.query(`DROP TABLE apple_configurator_certificates`);
  }
}
