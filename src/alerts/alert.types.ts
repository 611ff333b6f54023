import { createUnionType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { OrderByInput } from '../graphql/order';
import { DepToken } from '../tokens/token.types';
import { VppToken } from '../vpp/vpp-token.types';
import type { AlertKindName } from '../events/topics';
import type { AlertEntity } from './alert.entity';
import { AlertOrderField } from './alert.order';

export enum AlertKind {
  DEP_TOKEN_EXPIRING = 'DEP_TOKEN_EXPIRING',
  DEP_TOKEN_EXPIRED = 'DEP_TOKEN_EXPIRED',
  DEP_TOKEN_REJECTED = 'DEP_TOKEN_REJECTED',
  DEP_TERMS_NOT_ACCEPTED = 'DEP_TERMS_NOT_ACCEPTED',
  DEP_SYNC_FAILING = 'DEP_SYNC_FAILING',
  VPP_TOKEN_EXPIRING = 'VPP_TOKEN_EXPIRING',
  VPP_TOKEN_EXPIRED = 'VPP_TOKEN_EXPIRED',
  VPP_TOKEN_REVOKED = 'VPP_TOKEN_REVOKED',
  VPP_LICENSES_LOW = 'VPP_LICENSES_LOW',
  VPP_LICENSES_EXHAUSTED = 'VPP_LICENSES_EXHAUSTED',
  DEVICE_MIGRATION_DEADLINE = 'DEVICE_MIGRATION_DEADLINE',
  APNS_CERT_EXPIRING = 'APNS_CERT_EXPIRING',
  APNS_CERT_EXPIRED = 'APNS_CERT_EXPIRED',
  WEBHOOK_DISABLED = 'WEBHOOK_DISABLED',
  APPLE_BUSINESS_ACCOUNT_REFUSED = 'APPLE_BUSINESS_ACCOUNT_REFUSED',
  APPLE_BUSINESS_ASSERTION_EXPIRING = 'APPLE_BUSINESS_ASSERTION_EXPIRING',
  APPLE_BUSINESS_ASSERTION_EXPIRED = 'APPLE_BUSINESS_ASSERTION_EXPIRED',
}
// The enum and the events module's ALERT_KINDS name the same kinds: this fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const alertKindsAgree: Same<`${AlertKind}`, AlertKindName> = true;
void alertKindsAgree;
registerEnumType(AlertKind, {
  name: 'AlertKind',
  valuesConfig: {
    DEP_TOKEN_EXPIRING: { description: 'A DEP token expires within an ALERT_EXPIRY_DAYS threshold (`threshold` says which); each crossing is a new alert' },
    DEP_TOKEN_EXPIRED: { description: 'A DEP token expired: devices no longer sync' },
    DEP_TOKEN_REJECTED: {
      description: 'Apple refuses a DEP token before its expiry (access denied, or credentials refused even after a new session): devices no longer sync',
    },
    DEP_TERMS_NOT_ACCEPTED: { description: 'Apple has new terms: accept them in Apple Business Manager' },
    DEP_SYNC_FAILING: { description: 'No successful sync for 3 days' },
    VPP_TOKEN_EXPIRING: { description: 'A VPP token expires within an ALERT_EXPIRY_DAYS threshold' },
    VPP_TOKEN_EXPIRED: {
      description: 'A VPP token expired: Company Portal falls back to the App Store and an Apple ID',
    },
    VPP_TOKEN_REVOKED: {
      description: 'Apple refuses a VPP token before its expiry (revoked by a newer download, or invalid): Company Portal falls back to the App Store and an Apple ID',
    },
    VPP_LICENSES_LOW: { description: 'Fewer Company Portal licences available than VPP_LICENSES_LOW or 10 % of the total' },
    VPP_LICENSES_EXHAUSTED: { description: 'No Company Portal licence available' },
    DEVICE_MIGRATION_DEADLINE: {
      description:
        "Devices of a DEP token are being migrated to this server without a wipe (Apple's mdm_migration_deadline) and the earliest deadline is within an ALERT_EXPIRY_DAYS threshold: they must enroll before it passes",
    },
    APNS_CERT_EXPIRING: { description: 'The Apple MDM push certificate expires within an ALERT_EXPIRY_DAYS threshold (visible to keys without scope tags)' },
    WEBHOOK_DISABLED: { description: 'A webhook was disabled after repeated failed deliveries (visible to keys without scope tags)' },
    APNS_CERT_EXPIRED: { description: 'The Apple MDM push certificate expired: enrolled devices no longer take commands (visible to keys without scope tags)' },
    APPLE_BUSINESS_ACCOUNT_REFUSED: {
      description:
        'Apple refuses an Apple School or Business API account (invalid_client or invalid_scope, or a 401 / a 403 to a read even with a new access token): its inventory, MDM servers and device activities stop; resolved by the next call Apple answers (e.g. after updateAppleBusinessAccount with a new key)',
    },
    APPLE_BUSINESS_ASSERTION_EXPIRING: {
      description:
        "The client assertion of an Apple School or Business API account expires within an ALERT_EXPIRY_DAYS threshold and depgate's renewal (from 30 days before) keeps failing, e.g. because Apple refuses the key",
    },
    APPLE_BUSINESS_ASSERTION_EXPIRED: { description: 'The client assertion of an Apple School or Business API account expired with no new one accepted by Apple: no access tokens for it' },
  },
});

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(AlertSeverity, {
  name: 'AlertSeverity',
  description: 'Expiry: INFO above 14 days, WARNING from 14 days, CRITICAL from 1 day and once expired',
});

export enum AlertResolution {
  CLEARED = 'CLEARED',
  SUPERSEDED = 'SUPERSEDED',
}
registerEnumType(AlertResolution, {
  name: 'AlertResolution',
  valuesConfig: {
    CLEARED: { description: 'The cause went away (renewal, licences added, terms accepted, a successful sync)' },
    SUPERSEDED: { description: 'A more urgent alert of the same family replaced it (e.g. 7 days left after 14)' },
  },
});

export enum AlertStatusFilter {
  ACTIVE = 'ACTIVE',
  RESOLVED = 'RESOLVED',
  ALL = 'ALL',
}
registerEnumType(AlertStatusFilter, { name: 'AlertStatusFilter' });

export const AlertSubject = createUnionType({
  name: 'AlertSubject',
  description: 'The token an alert is about',
  types: () => [DepToken, VppToken] as const,
  resolveType: (value) => (value instanceof VppToken ? VppToken : DepToken),
});

@ObjectType({
  implements: Node,
  description:
    'A warning about a DEP or VPP token, the push certificate, a webhook or an Apple School or Business API account; active until its cause goes away. Alerts about the push certificate or a webhook concern the whole deployment: only keys without scope tags see them',
})
export class Alert extends Node {
  @Field(() => AlertKind)
  kind: AlertKind;

  @Field(() => AlertSeverity)
  severity: AlertSeverity;

  @Field({ description: "The subject's name when the alert was raised (a token's or an Apple Business API account's name, `Apple MDM push certificate <topic>`, `Webhook <host>`)" })
  subjectName: string;

  @Field(() => Int, { nullable: true, description: 'The crossed threshold in days (expiry, failing syncs, migration deadlines); null for other kinds' })
  threshold: number | null;

  @Field()
  message: string;

  @Field()
  raisedAt: Date;

  @Field()
  active: boolean;

  @Field(() => Date, { nullable: true })
  resolvedAt: Date | null;

  @Field(() => AlertResolution, { nullable: true })
  resolution: AlertResolution | null;

  @Field(() => Date, { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that acknowledged it' })
  acknowledgedBy: string | null;

  /** Row ids, for the subject field resolver; not exposed. */
  rowId: string;
  depTokenRowId: string | null;
  vppTokenRowId: string | null;
  apnsCertificateRowId: string | null;
  webhookRowId: string | null;
  appleBusinessAccountRowId: string | null;

  static from(entity: AlertEntity): Alert {
    const hasThreshold = [
      'DEP_TOKEN_EXPIRING',
      'VPP_TOKEN_EXPIRING',
      'DEP_SYNC_FAILING',
      'APNS_CERT_EXPIRING',
      'DEVICE_MIGRATION_DEADLINE',
      'APPLE_BUSINESS_ASSERTION_EXPIRING',
    ].includes(entity.kind);
    return Object.assign(new Alert(), {
      id: toGlobalId('Alert', entity.id),
      rowId: entity.id,
      depTokenRowId: entity.depTokenId,
      vppTokenRowId: entity.vppTokenId,
      apnsCertificateRowId: entity.apnsCertificateId ?? null,
      webhookRowId: entity.webhookId ?? null,
      appleBusinessAccountRowId: entity.appleBusinessAccountId ?? null,
      kind: entity.kind as AlertKind,
      severity: entity.severity as AlertSeverity,
      subjectName: entity.subjectName,
      threshold: hasThreshold ? entity.threshold : null,
      message: entity.message,
      raisedAt: entity.raisedAt,
      active: entity.resolvedAt === null,
      resolvedAt: entity.resolvedAt,
      resolution: entity.resolution as AlertResolution | null,
      acknowledgedAt: entity.acknowledgedAt,
      acknowledgedBy: entity.acknowledgedBy,
    });
  }
}

export const AlertConnection = ConnectionType(Alert, 'Alert');

registerEnumType(AlertOrderField, {
  name: 'AlertOrderField',
  valuesConfig: {
    RAISED_AT: { description: 'When the alert was raised' },
    SEVERITY: { description: 'INFO, WARNING, CRITICAL (DESC: most severe first), then by when raised' },
  },
});

export const AlertOrder = OrderByInput<AlertOrderField>(AlertOrderField, 'Alert', 'How alerts are listed; ties are ordered by id. Default: RAISED_AT ASC');
export type AlertOrder = InstanceType<typeof AlertOrder>;

@InputType()
export class AlertFilter {
  @Field(() => AlertStatusFilter, { nullable: true, description: 'Default ACTIVE' })
  status?: AlertStatusFilter | null;

  @Field(() => [AlertKind], { nullable: true, description: 'Any of these kinds; at most as many as there are kinds' })
  kinds?: AlertKind[] | null;

  @Field(() => [AlertSeverity], { nullable: true, description: 'Any of these severities; at most as many as there are severities' })
  severities?: AlertSeverity[] | null;

  @Field(() => Boolean, { nullable: true })
  acknowledged?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'A DepToken, VppToken or AppleBusinessAccount id: only alerts about it' })
  subjectId?: string | null;
}

@InputType()
export class AcknowledgeAlertInput {
  @Field(() => ID)
  alertId: string;
}

@ObjectType()
export class AlertPayload {
  @Field(() => Alert)
  alert: Alert;
}
