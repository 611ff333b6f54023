import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and their delivery log. A webhook's scope tags are an array, not a join table: a scope
 * tag deleted later leaves its id behind, so a scoped webhook never silently widens to everything.
 * Deliveries are the queue's source of truth: a job drains one (webhook, ordering key) at a time in
 * `seq` order, so events about one token arrive in order.
 */
export class Webhooks1764141420000 implements MigrationInterface {
  name = 'Webhooks1764141420000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        url text NOT NULL CHECK (char_length(url) <= 2000),
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        scope_tag_ids uuid[] NOT NULL DEFAULT '{}',
        description text CHECK (char_length(description) <= 1000),
        secret_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_at timestamptz(3),
        disabled_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        created_by_api_key_id uuid,
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX webhooks_events_idx ON webhooks USING gin (events) WHERE enabled`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event text NOT NULL,
        ordering_key text NOT NULL,
        dedupe_key text,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        last_response_code integer,
        last_error text,
        last_attempt_at timestamptz(3),
        next_attempt_at timestamptz(3),
        delivered_at timestamptz(3),
        created_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, ordering_key, seq) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at, id)`);
    await q.query(`CREATE UNIQUE INDEX webhook_deliveries_dedupe_key ON webhook_deliveries (webhook_id, event, dedupe_key) WHERE dedupe_key IS NOT NULL`);

    await q.query(`INSERT INTO alert_kinds (kind, subject_type) VALUES ('WEBHOOK_DISABLED', 'WEBHOOK')`);
    await q.query(`ALTER TABLE alerts ADD COLUMN webhook_id uuid REFERENCES webhooks (id) ON DELETE CASCADE`);
    await q.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_webhook_check
         CHECK (webhook_id IS NULL OR (dep_token_id IS NULL AND vpp_token_id IS NULL AND subject_id = webhook_id))`,
    );
    await q.query(`CREATE INDEX alerts_webhook_idx ON alerts (webhook_id) WHERE webhook_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE webhook_id IS NOT NULL`);
    await q.query(`ALTER TABLE alerts DROP COLUMN webhook_id`);
    await q.query(`DELETE FROM alert_kinds WHERE kind = 'WEBHOOK_DISABLED'`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
  }
}
