import { Column, Entity, JoinTable, ManyToMany } from 'typeorm';
import { AppleTokenColumns } from '../apple-tokens/apple-token.columns';
import { ScopeTagEntity } from '../auth/scope-tag.entity';

export type TokenType = 'DEP' | 'ASM';

/** One Apple MDM server (ABM/ASM) and its OAuth credentials. */
@Entity({ name: 'dep_tokens' })
export class DepTokenEntity extends AppleTokenColumns {
  @Column({ name: 'key_pair_id', type: 'uuid' })
  keyPairId: string;

  /** The Apple ID that created the token in the portal; renewals must name it again. */
  @Column({ name: 'apple_id', type: 'text' })
  appleId: string;

  @Column({ name: 'org_email', type: 'text', nullable: true })
  orgEmail: string | null;

  @Column({ name: 'org_id', type: 'text', nullable: true })
  orgId: string | null;

  @Column({ name: 'server_name', type: 'text', nullable: true })
  serverName: string | null;

  @Column({ name: 'server_uuid', type: 'text' })
  serverUuid: string;

  @Column({ name: 'token_type', type: 'text' })
  tokenType: TokenType;

  /** Not a secret (it names the OAuth consumer) but never exposed; kept to recognise renewals. */
  @Column({ name: 'consumer_key', type: 'text' })
  consumerKey: string;

  /** The four OAuth values as JSON, sealed with SecretBox and bound to this row's id. */
  @Column({ name: 'credentials_sealed', type: 'text' })
  credentialsSealed: string;

  /** Set when Apple answers T_C_NOT_SIGNED; cleared by the next successful call. */
  @Column({ name: 'terms_not_accepted_at', type: 'timestamptz', precision: 3, nullable: true })
  termsNotAcceptedAt: Date | null;

  /** Set when Apple refuses the credentials (ACCESS_DENIED / OAuth rejected). */
  @Column({ name: 'rejected_at', type: 'timestamptz', precision: 3, nullable: true })
  rejectedAt: Date | null;

  @Column({ name: 'last_sync_triggered_at', type: 'timestamptz', precision: 3, nullable: true })
  lastSyncTriggeredAt: Date | null;

  @Column({ name: 'last_successful_sync_at', type: 'timestamptz', precision: 3, nullable: true })
  lastSuccessfulSyncAt: Date | null;

  @Column({ name: 'last_sync_error', type: 'text', nullable: true })
  lastSyncError: string | null;

  /**
   * The iOS / iPadOS default profile: applied to every iPhone, iPad and iPod that arrives with this
   * token without a profile. (The column predates platforms; it was the token's only default.)
   */
  @Column({ name: 'default_profile_id', type: 'uuid', nullable: true })
  defaultProfileId: string | null;

  /** The macOS, tvOS and visionOS defaults (src/profiles/profile-platform.ts). */
  @Column({ name: 'default_macos_profile_id', type: 'uuid', nullable: true })
  defaultMacosProfileId: string | null;

  @Column({ name: 'default_tvos_profile_id', type: 'uuid', nullable: true })
  defaultTvosProfileId: string | null;

  @Column({ name: 'default_visionos_profile_id', type: 'uuid', nullable: true })
  defaultVisionosProfileId: string | null;
  /** The enrollment URL of the MDM server this token feeds; null: ENROLLMENT_URL. */
  @Column({ name: 'enrollment_url', type: 'text', nullable: true })
  enrollmentUrl: string | null;

  @Column({ name: 'synced_device_count', type: 'integer', default: 0 })
  syncedDeviceCount: number;

  @ManyToMany(() => ScopeTagEntity)
  @JoinTable({ name: 'dep_token_scope_tags', joinColumn: { name: 'token_id' }, inverseJoinColumn: { name: 'scope_tag_id' } })
  scopeTags?: ScopeTagEntity[];
}
