import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AlertKindName } from '../events/topics';

export type { AlertKindName };

export type AlertSeverityName = 'INFO' | 'WARNING' | 'CRITICAL';

/** CLEARED: the cause went away (renewal, licences added). SUPERSEDED: a later crossing replaced it. */
export type AlertResolutionName = 'CLEARED' | 'SUPERSEDED';

/** A warning about one subject (a DEP or VPP token, the push certificate, a webhook, an Apple Business API account). Active while `resolvedAt` is null. */
@Entity({ name: 'alerts' })
export class AlertEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: AlertKindName;

  @Column({ type: 'text' })
  severity: AlertSeverityName;

  @Column({ name: 'dep_token_id', type: 'uuid', nullable: true })
  depTokenId: string | null;

  @Column({ name: 'vpp_token_id', type: 'uuid', nullable: true })
  vppTokenId: string | null;

  /** The Apple MDM push certificate, for its expiry alerts. */
  @Column({ name: 'apns_certificate_id', type: 'uuid', nullable: true })
  apnsCertificateId: string | null;

  /** The webhook, for WEBHOOK_DISABLED. */
  @Column({ name: 'webhook_id', type: 'uuid', nullable: true })
  webhookId: string | null;

  /** The Apple School or Business API account, for APPLE_BUSINESS_* (visible through its scope tags). */
  @Column({ name: 'apple_business_account_id', type: 'uuid', nullable: true })
  appleBusinessAccountId: string | null;

  /**
   * The id of what the alert is about (a token's id when dep_token_id / vpp_token_id is set: a
   * CHECK keeps them equal). Written by the service; alert_kinds says which subject type a kind has.
   */
  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  /** The token's name when the alert was raised (the message names it too). */
  @Column({ name: 'subject_name', type: 'text' })
  subjectName: string;

  /** The crossed threshold: days for expiry and failing syncs, 0 when the kind has none. */
  @Column({ type: 'integer' })
  threshold: number;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'raised_at', type: 'timestamptz', precision: 3 })
  raisedAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolution: AlertResolutionName | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', precision: 3, nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'acknowledged_by_api_key_id', type: 'uuid', nullable: true })
  acknowledgedByApiKeyId: string | null;

  /** The API key's name at the time (kept when the key is revoked). */
  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy: string | null;
}
