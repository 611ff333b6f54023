import { Column, Entity, JoinTable, ManyToMany } from 'typeorm';
import { AppleTokenColumns } from '../apple-tokens/apple-token.columns';
import { ScopeTagEntity } from '../auth/scope-tag.entity';

export type VppInvalidReason = 'INVALID' | 'REVOKED' | 'EXPIRED';

/** One Apps and Books location token (`.vpptoken`) and the Company Portal licence counts last read with it. */
@Entity({ name: 'vpp_tokens' })
export class VppTokenEntity extends AppleTokenColumns {
  /** The Apple ID of the person who manages the location (Apple's API no longer returns it; optional). */
  @Column({ name: 'apple_id', type: 'text', nullable: true })
  appleId: string | null;

  @Column({ name: 'location_name', type: 'text', nullable: true })
  locationName: string | null;

  /** Apple's `uId` from client/config: the same for every token of one location. */
  @Column({ name: 'location_uid', type: 'text' })
  locationUid: string;

  @Column({ name: 'country_code', type: 'text', nullable: true })
  countryCode: string | null;

  /** The sToken (the file's text), sealed with SecretBox and bound to this row's id. */
  @Column({ name: 'token_sealed', type: 'text' })
  tokenSealed: string;

  /** Set when Apple refused the token on a refresh (9622 invalid, 9625 revoked, 9621 expired early). */
  @Column({ name: 'invalid_at', type: 'timestamptz', precision: 3, nullable: true })
  invalidAt: Date | null;

  @Column({ name: 'invalid_reason', type: 'text', nullable: true })
  invalidReason: VppInvalidReason | null;

  /** Company Portal licences at the last successful read; null before the first one. */
  @Column({ name: 'cp_total_count', type: 'integer', nullable: true })
  cpTotalCount: number | null;

  @Column({ name: 'cp_assigned_count', type: 'integer', nullable: true })
  cpAssignedCount: number | null;

  @Column({ name: 'cp_available_count', type: 'integer', nullable: true })
  cpAvailableCount: number | null;

  @Column({ name: 'licenses_refreshed_at', type: 'timestamptz', precision: 3, nullable: true })
  licensesRefreshedAt: Date | null;

  @Column({ name: 'last_refresh_attempt_at', type: 'timestamptz', precision: 3, nullable: true })
  lastRefreshAttemptAt: Date | null;

  /** What went wrong on the last refresh (a safe, typed description; never Apple's body). */
  @Column({ name: 'last_refresh_error', type: 'text', nullable: true })
  lastRefreshError: string | null;

  @ManyToMany(() => ScopeTagEntity)
  @JoinTable({ name: 'vpp_token_scope_tags', joinColumn: { name: 'vpp_token_id' }, inverseJoinColumn: { name: 'scope_tag_id' } })
  scopeTags?: ScopeTagEntity[];
}
