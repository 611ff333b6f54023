import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one row per mutation (either transport) and per background action (scheduled
 * syncs, automatic assignments, alert raises), written once and never updated; pruned after
 * AUDIT_RETENTION_DAYS.
 *
 * No foreign keys: an event outlives the key, token or profile it names. `scope_tag_ids` are the
 * tags the touched tokens carried when the event was written, so a scoped ADMIN keeps seeing the
 * events of a token after it was deleted.
 *
 * Indexes follow `auditEvents(filter, first, after)`: every list is keyset-paged on
 * (occurred_at, seq) (seq: insertion order among the events of one instant), alone (time range,
 * pruning) or after the actor or operation filter; target ids and scope tags are arrays searched
 * by containment and overlap (GIN).
 */
export class AuditEvents1764140690000 implements MigrationInterface {
  name = 'AuditEvents1764140690000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        occurred_at timestamptz(3) NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('API_KEY', 'SYSTEM')),
        actor_key_id uuid,
        actor_name text NOT NULL,
        actor_role text CHECK (actor_role IN ('READER', 'OPERATOR', 'ADMIN')),
        operation text NOT NULL,
        target_ids text[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'FAILED')),
        error_code text,
        request_id text,
        client_address text,
        transport text NOT NULL CHECK (transport IN ('HTTP', 'WEBSOCKET', 'SYSTEM')),
        scope_tag_ids uuid[] NOT NULL DEFAULT '{}',
        CHECK ((actor_type = 'API_KEY') = (actor_key_id IS NOT NULL)),
        CHECK ((outcome = 'FAILED') = (error_code IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, seq)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_key_id, occurred_at, seq) WHERE actor_key_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_operation_idx ON audit_events (operation, occurred_at, seq)`);
    await q.query(`CREATE INDEX audit_events_failed_idx ON audit_events (occurred_at, seq) WHERE outcome = 'FAILED'`);
    await q.query(`CREATE INDEX audit_events_targets_idx ON audit_events USING gin (target_ids)`);
    await q.query(`CREATE INDEX audit_events_scope_tags_idx ON audit_events USING gin (scope_tag_ids)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
  }
}
