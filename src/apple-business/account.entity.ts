import { Column, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { ScopeTagEntity } from '../auth/scope-tag.entity';
import type { BusinessScope } from '../apple/business-client';

/** One Apple School or Business API account: a client id, its key id and its sealed P-256 key. */
@Entity({ name: 'apple_business_accounts' })
export class AppleBusinessAccountEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  @Column({ type: 'text' })
  scope: BusinessScope;

  /** The PKCS#8 PEM, sealed with SecretBox and bound to this row. */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  /** The client assertion, reused until shortly before it expires (sealed: it is a credential). */
  @Column({ name: 'assertion_sealed', type: 'text', nullable: true })
  assertionSealed: string | null;

  @Column({ name: 'assertion_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  assertionExpiresAt: Date | null;

  /**
   * Set when Apple refused the account on any call of a stored account (invalid_client from the
   * token endpoint, or a 401 / a 403 to a read even with a new access token); cleared by the next
   * call Apple answers. The APPLE_BUSINESS_ACCOUNT_REFUSED alert follows it.
   */
  @Column({ name: 'refused_at', type: 'timestamptz', precision: 3, nullable: true })
  refusedAt: Date | null;

  /** What Apple answered, e.g. `invalid_client`; for the alert and the account's status. */
  @Column({ name: 'refused_reason', type: 'text', nullable: true })
  refusedReason: string | null;

  /** Why the last scheduled renewal of the assertion failed; null once one succeeds. */
  @Column({ name: 'assertion_renewal_error', type: 'text', nullable: true })
  assertionRenewalError: string | null;

  @Column({ name: 'inventory_synced_at', type: 'timestamptz', precision: 3, nullable: true })
  inventorySyncedAt: Date | null;

  @Column({ name: 'inventory_sync_error', type: 'text', nullable: true })
  inventorySyncError: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;

  @ManyToMany(() => ScopeTagEntity)
  @JoinTable({ name: 'apple_business_account_scope_tags', joinColumn: { name: 'apple_business_account_id' }, inverseJoinColumn: { name: 'scope_tag_id' } })
  scopeTags?: ScopeTagEntity[];
}
