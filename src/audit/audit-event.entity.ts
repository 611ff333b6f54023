import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../auth/role';

export type AuditActorTypeName = 'API_KEY' | 'SYSTEM';
export type AuditOutcomeName = 'SUCCEEDED' | 'FAILED';
export type AuditTransportName = 'HTTP' | 'WEBSOCKET' | 'SYSTEM';

/**
 * One recorded action: who (an API key as it was then, or the system), what (the operation and
 * the global ids it touched), how it ended (outcome, error code) and where from (request id,
 * client address, transport). Never an input value other than ids, never a message or a payload.
 */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Insertion order: orders the events of one instant (lists page on occurred_at, seq). */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt: Date;

  @Column({ name: 'actor_type', type: 'text' })
  actorType: AuditActorTypeName;

  /** The API key's row id; null for the system. */
  @Column({ name: 'actor_key_id', type: 'uuid', nullable: true })
  actorKeyId: string | null;

  /** The key's name at the time (kept when the key is revoked), or `system`. */
  @Column({ name: 'actor_name', type: 'text' })
  actorName: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: Role | null;

  /** The mutation's field name (`uploadDepToken`), or the background action's (`raiseAlert`). */
  @Column({ type: 'text' })
  operation: string;

  /** Global ids, as clients see them. */
  @Column({ name: 'target_ids', type: 'text', array: true })
  targetIds: string[];

  @Column({ type: 'text' })
  outcome: AuditOutcomeName;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_address', type: 'text', nullable: true })
  clientAddress: string | null;

  @Column({ type: 'text' })
  transport: AuditTransportName;

  /** The scope tags the touched tokens carried when the event was written (who may read it). */
  @Column({ name: 'scope_tag_ids', type: 'uuid', array: true })
  scopeTagIds: string[];
}
