/**
 * What should be alerting right now, as a pure function of a token's facts, the time and the
 * thresholds. The service compares this with the active alerts: what is new is raised (once, by
 * the database's unique index), what is gone is resolved.
 *
 * - Expiry (DEP and VPP): thresholds from ALERT_EXPIRY_DAYS (default 30, 14, 7, 1 days). The
 *   alert is for the smallest threshold already crossed, so each crossing is a new alert (its
 *   `threshold` says which) and supersedes the previous one; a token uploaded 5 days before expiry
 *   raises the 7-day alert only. Severity: INFO above 14 days, WARNING from 14 days, CRITICAL from
 *   1 day; EXPIRED is CRITICAL.
 * - A token Apple refuses before its expiry has its own kind, DEP_TOKEN_REJECTED (access denied,
 *   or the credentials refused even by a fresh session) or VPP_TOKEN_REVOKED (revoked or invalid),
 *   CRITICAL. It belongs to the expiry family (it supersedes an EXPIRING alert) because nothing
 *   works until the token is renewed either way; an expired token reports EXPIRED only.
 * - DEP_TERMS_NOT_ACCEPTED: Apple answered T_C_NOT_SIGNED (CRITICAL: every call is refused).
 * - DEP_SYNC_FAILING: no successful sync for 3 days, counted from the last success or, before the
 *   first one, from the upload (WARNING).
 * - DEVICE_MIGRATION_DEADLINE: devices of the token carry Apple's mdm_migration_deadline (they move
 *   to this server without a wipe) and have not enrolled yet; the earliest deadline still ahead is
 *   within an ALERT_EXPIRY_DAYS threshold. Thresholds and severities as for expiry; once the
 *   deadline has passed there is nothing left to do in time, and the alert resolves.
 * - Company Portal licences (only for a VPP token that holds Company Portal licences or that a
 *   profile uses for Company Portal, and once counts were read): none available is
 *   VPP_LICENSES_EXHAUSTED (CRITICAL); fewer than VPP_LICENSES_LOW or 10 % of the total is
 *   VPP_LICENSES_LOW (WARNING).
 * - Apple School and Business API accounts: APPLE_BUSINESS_ACCOUNT_REFUSED while Apple refuses the
 *   account (CRITICAL); APPLE_BUSINESS_ASSERTION_EXPIRING / _EXPIRED on the expiry thresholds of
 *   the client assertion, but only once its renewal is overdue (see appleBusinessAccountAlerts).
 */
import { DAY_MS } from '../clock';
import { licenceLevel } from '../vpp/vpp-token.status';
import type { AlertKindName, AlertSeverityName } from './alert.entity';

export const SYNC_FAILING_AFTER_DAYS = 3;

export interface DesiredAlert {
  kind: AlertKindName;
  severity: AlertSeverityName;
  /** Days for expiry and failing syncs; 0 when the kind has no threshold. */
  threshold: number;
  message: string;
}

export interface AlertRuleOptions {
  /** ALERT_EXPIRY_DAYS, any order. */
  expiryDays: readonly number[];
  /** VPP_LICENSES_LOW. */
  licensesLow: number;
}

export interface DepTokenFacts {
  name: string;
  expiresAt: Date;
  termsNotAcceptedAt: Date | null;
  rejectedAt: Date | null;
  lastSuccessfulSyncAt: Date | null;
  lastSyncError: string | null;
  createdAt: Date;
  /** Devices migrating to this server without a wipe whose deadline is ahead, and the earliest one. */
  migratingDevices?: number;
  nextMigrationDeadline?: Date | null;
}

export interface VppTokenFacts {
  name: string;
  expiresAt: Date;
  invalidReason: 'INVALID' | 'REVOKED' | 'EXPIRED' | null;
  cpTotalCount: number | null;
  cpAvailableCount: number | null;
  /** Enrollment profiles installing Company Portal with this token. */
  profileCount: number;
}

/** Which expiry threshold (days) has been crossed, 'EXPIRED', or null (none yet). */
export function expiryCrossing(expiresAt: Date, now: Date, expiryDays: readonly number[]): number | 'EXPIRED' | null {
  const remaining = expiresAt.getTime() - now.getTime();
  if (remaining <= 0) return 'EXPIRED';
  const crossed = expiryDays.filter((days) => remaining <= days * DAY_MS);
  return crossed.length ? Math.min(...crossed) : null;
}

export function expirySeverity(thresholdDays: number): AlertSeverityName {
  if (thresholdDays <= 1) return 'CRITICAL';
  if (thresholdDays <= 14) return 'WARNING';
  return 'INFO';
}

/** How urgent an alert is within its family (expiry, licences): a more urgent one supersedes. */
export function urgency(alert: Pick<DesiredAlert, 'kind' | 'threshold'>): number {
  switch (alert.kind) {
    case 'DEP_TOKEN_EXPIRED':
    case 'DEP_TOKEN_REJECTED':
    case 'VPP_TOKEN_EXPIRED':
    case 'VPP_TOKEN_REVOKED':
    case 'VPP_LICENSES_EXHAUSTED':
    case 'APNS_CERT_EXPIRED':
    case 'APPLE_BUSINESS_ASSERTION_EXPIRED':
      return Number.MAX_SAFE_INTEGER;
    case 'DEP_TOKEN_EXPIRING':
    case 'VPP_TOKEN_EXPIRING':
    case 'DEVICE_MIGRATION_DEADLINE':
    case 'APNS_CERT_EXPIRING':
    case 'APPLE_BUSINESS_ASSERTION_EXPIRING':
      return 1_000_000 - alert.threshold;
    default:
      return 1;
  }
}

/** Alerts of one family replace each other; other kinds stand alone. */
export function family(kind: AlertKindName): string {
  switch (kind) {
    case 'DEP_TOKEN_EXPIRING':
    case 'DEP_TOKEN_EXPIRED':
    case 'DEP_TOKEN_REJECTED':
      return 'DEP_EXPIRY';
    case 'VPP_TOKEN_EXPIRING':
    case 'VPP_TOKEN_EXPIRED':
    case 'VPP_TOKEN_REVOKED':
      return 'VPP_EXPIRY';
    case 'VPP_LICENSES_LOW':
    case 'VPP_LICENSES_EXHAUSTED':
      return 'VPP_LICENSES';
    case 'APNS_CERT_EXPIRING':
    case 'APNS_CERT_EXPIRED':
      return 'APNS_EXPIRY';
    case 'APPLE_BUSINESS_ASSERTION_EXPIRING':
    case 'APPLE_BUSINESS_ASSERTION_EXPIRED':
      return 'APPLE_BUSINESS_ASSERTION';
    default:
      return kind;
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function depTokenAlerts(token: DepTokenFacts, now: Date, options: AlertRuleOptions): DesiredAlert[] {
  const alerts: DesiredAlert[] = [];
  const name = `DEP token "${token.name}"`;
  const crossing = expiryCrossing(token.expiresAt, now, options.expiryDays);
  if (crossing === 'EXPIRED') {
    alerts.push({
      kind: 'DEP_TOKEN_EXPIRED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `${name} expired on ${day(token.expiresAt)}: Apple refuses it, so devices no longer sync and profiles cannot be assigned. Download a new token for the MDM server in Apple Business Manager and renew it.`,
    });
  } else if (token.rejectedAt) {
    alerts.push({
      kind: 'DEP_TOKEN_REJECTED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `Apple no longer accepts ${name} (access denied since ${day(token.rejectedAt)}): devices no longer sync. Download a new token for the MDM server in Apple Business Manager and renew it.`,
    });
  } else if (crossing !== null) {
    alerts.push({
      kind: 'DEP_TOKEN_EXPIRING',
      severity: expirySeverity(crossing),
      threshold: crossing,
      message: `${name} expires within ${crossing} day${crossing === 1 ? '' : 's'}, on ${day(token.expiresAt)}: download a new token for the MDM server in Apple Business Manager and renew it before then, or devices stop syncing.`,
    });
  }
  if (token.termsNotAcceptedAt) {
    alerts.push({
      kind: 'DEP_TERMS_NOT_ACCEPTED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `Apple has new terms and conditions for ${name}: an administrator must accept them in Apple Business Manager (or Apple School Manager); until then Apple refuses every call.`,
    });
  }
  const since = token.lastSuccessfulSyncAt ?? token.createdAt;
  if (now.getTime() - since.getTime() >= SYNC_FAILING_AFTER_DAYS * DAY_MS) {
    const last = token.lastSuccessfulSyncAt ? `the last one was on ${day(token.lastSuccessfulSyncAt)}` : `none since the upload on ${day(token.createdAt)}`;
    const error = token.lastSyncError ? ` Last error: ${token.lastSyncError.slice(0, 300)}` : '';
    alerts.push({
      kind: 'DEP_SYNC_FAILING',
      severity: 'WARNING',
      threshold: SYNC_FAILING_AFTER_DAYS,
      message: `${name} has not synced successfully for ${SYNC_FAILING_AFTER_DAYS} days (${last}): new devices and changes in Apple Business Manager are not arriving.${error}`,
    });
  }
  const deadline = token.nextMigrationDeadline ?? null;
  const migrating = token.migratingDevices ?? 0;
  if (deadline && migrating > 0) {
    const crossing = expiryCrossing(deadline, now, options.expiryDays);
    if (crossing !== null && crossing !== 'EXPIRED') {
      alerts.push({
        kind: 'DEVICE_MIGRATION_DEADLINE',
        severity: expirySeverity(crossing),
        threshold: crossing,
        message: `${migrating} device${migrating === 1 ? '' : 's'} of ${name} ${migrating === 1 ? 'is' : 'are'} migrating to this MDM server without a wipe; the first must enroll by ${deadline.toISOString()} (within ${crossing} day${crossing === 1 ? '' : 's'}). Make sure ${migrating === 1 ? 'it has' : 'they have'} a profile that awaits configuration and that users complete enrollment before then.`,
      });
    }
  }
  return alerts;
}

export function vppTokenAlerts(token: VppTokenFacts, now: Date, options: AlertRuleOptions): DesiredAlert[] {
  const alerts: DesiredAlert[] = [];
  const name = `VPP token "${token.name}"`;
  const fallback = 'devices install Company Portal from the App Store instead and users are asked for an Apple ID';
  const crossing = expiryCrossing(token.expiresAt, now, options.expiryDays);
  if (crossing === 'EXPIRED' || token.invalidReason === 'EXPIRED') {
    alerts.push({
      kind: 'VPP_TOKEN_EXPIRED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `${name} has expired (${day(token.expiresAt)}): ${fallback}. Download a new location token in Apple Business Manager and renew it.`,
    });
  } else if (token.invalidReason) {
    alerts.push({
      kind: 'VPP_TOKEN_REVOKED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `Apple no longer accepts ${name} (${token.invalidReason === 'REVOKED' ? 'revoked: a newer token was downloaded for the location' : 'invalid'}): ${fallback}. Renew it with the newest location token.`,
    });
  } else if (crossing !== null) {
    alerts.push({
      kind: 'VPP_TOKEN_EXPIRING',
      severity: expirySeverity(crossing),
      threshold: crossing,
      message: `${name} expires within ${crossing} day${crossing === 1 ? '' : 's'}, on ${day(token.expiresAt)}: renew it before then, or ${fallback}.`,
    });
  }
  const relevant = (token.cpTotalCount ?? 0) > 0 || token.profileCount > 0;
  const level = licenceLevel({ total: token.cpTotalCount, available: token.cpAvailableCount }, options.licensesLow);
  if (relevant && level === 'EXHAUSTED') {
    alerts.push({
      kind: 'VPP_LICENSES_EXHAUSTED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `${name} has no Company Portal licences left (${token.cpTotalCount ?? 0} purchased): ${fallback}. Buy more licences or free some.`,
    });
  } else if (relevant && level === 'LOW') {
    alerts.push({
      kind: 'VPP_LICENSES_LOW',
      severity: 'WARNING',
      threshold: 0,
      message: `${name} has only ${token.cpAvailableCount} of ${token.cpTotalCount} Company Portal licences left: when they run out, ${fallback}.`,
    });
  }
  return alerts;
}

export interface ApnsCertificateFacts {
  topic: string;
  appleId: string;
  notAfter: Date;
}

/**
 * The Apple MDM push certificate: on ALERT_EXPIRY_DAYS like the tokens. When it expires, every
 * enrolled device stops taking commands, and a certificate created anew (another topic) means
 * re-enrolling every device, so the message says to renew under the same Apple ID.
 */
export function apnsCertificateAlerts(certificate: ApnsCertificateFacts, now: Date, options: AlertRuleOptions): DesiredAlert[] {
  const crossing = expiryCrossing(certificate.notAfter, now, options.expiryDays);
  const renew = `renew it in Apple's Push Certificates Portal (https://identity.apple.com) signed in as ${certificate.appleId}, keeping the topic ${certificate.topic}, and upload the renewal`;
  if (crossing === 'EXPIRED') {
    return [
      {
        kind: 'APNS_CERT_EXPIRED',
        severity: 'CRITICAL',
        threshold: 0,
        message: `The Apple MDM push certificate expired on ${day(certificate.notAfter)}: enrolled devices no longer take commands from the MDM server. ${renew[0].toUpperCase()}${renew.slice(1)} (a new certificate would mean re-enrolling every device).`,
      },
    ];
  }
  if (crossing === null) return [];
  return [
    {
      kind: 'APNS_CERT_EXPIRING',
      severity: expirySeverity(crossing),
      threshold: crossing,
      message: `The Apple MDM push certificate expires within ${crossing} day${crossing === 1 ? '' : 's'}, on ${day(certificate.notAfter)}: ${renew} before then, or enrolled devices stop taking commands.`,
    },
  ];
}

export interface WebhookFacts {
  host: string;
  disabledAt: Date | null;
  reason: string | null;
}

/** A webhook depgate stopped calling after repeated failures: the MDM server no longer hears of devices. */
export function webhookAlerts(webhook: WebhookFacts, _now: Date, _options: AlertRuleOptions): DesiredAlert[] {
  if (!webhook.disabledAt) return [];
  return [
    {
      kind: 'WEBHOOK_DISABLED',
      severity: 'WARNING',
      threshold: 0,
      message: `The webhook to ${webhook.host} was disabled on ${day(webhook.disabledAt)} after repeated failed deliveries${webhook.reason ? ` (${webhook.reason.slice(0, 200)})` : ''}: it hears of no event until it is enabled again (updateWebhook enabled: true), which resumes the deliveries kept meanwhile.`,
    },
  ];
}

export interface AppleBusinessAccountFacts {
  name: string;
  scope: 'BUSINESS' | 'SCHOOL';
  refusedAt: Date | null;
  refusedReason: string | null;
  assertionExpiresAt: Date | null;
  /** How long before the assertion expires depgate renews it (ASSERTION_RENEW_BEFORE_MS). */
  renewBeforeMs: number;
  /** Why the last scheduled renewal failed, if it did. */
  renewalError: string | null;
}

/**
 * A renewal this much past its start has failed rather than not come round yet (the scheduled
 * renewal runs hourly), so a threshold at or beyond the renewal window (30 days) cannot fire in the
 * hour between the window opening and the renewal.
 */
export const ASSERTION_RENEWAL_GRACE_MS = DAY_MS;

/**
 * An Apple School or Business API account. Apple refusing it is APPLE_BUSINESS_ACCOUNT_REFUSED
 * (CRITICAL): nothing of the inventory, servers or activities works until it is fixed. The client
 * assertion is depgate's to renew (30 days before its end, stored once Apple accepts the new one),
 * so its expiry is only worth an alert when renewal keeps failing (typically: Apple refuses the
 * key, or cannot be reached): APPLE_BUSINESS_ASSERTION_EXPIRING on the ALERT_EXPIRY_DAYS thresholds
 * once the renewal is overdue by ASSERTION_RENEWAL_GRACE_MS, then _EXPIRED (CRITICAL). Both kinds
 * can be active together: the refusal says what is wrong, the assertion when it stops mattering
 * whether Apple comes back.
 */
export function appleBusinessAccountAlerts(account: AppleBusinessAccountFacts, now: Date, options: AlertRuleOptions): DesiredAlert[] {
  const alerts: DesiredAlert[] = [];
  const portal = account.scope === 'SCHOOL' ? 'Apple School Manager' : 'Apple Business Manager';
  const name = `${account.scope === 'SCHOOL' ? 'Apple School Manager' : 'Apple Business'} API account "${account.name}"`;
  const fix = `In ${portal} (Settings > API), check that the API account still exists, generate a new private key for it and give it to depgate with updateAppleBusinessAccount (keyId and privateKeyPem)`;
  if (account.refusedAt) {
    alerts.push({
      kind: 'APPLE_BUSINESS_ACCOUNT_REFUSED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `Apple refuses the ${name} (${account.refusedReason ?? 'refused'} since ${day(account.refusedAt)}): the organisation's device inventory, MDM servers and device activities no longer update. ${fix}.`,
    });
  }
  const expiresAt = account.assertionExpiresAt;
  if (!expiresAt) return alerts;
  const why = account.renewalError ? ` (last attempt: ${account.renewalError.slice(0, 300)})` : '';
  const crossing = expiryCrossing(expiresAt, now, options.expiryDays);
  if (crossing === 'EXPIRED') {
    alerts.push({
      kind: 'APPLE_BUSINESS_ASSERTION_EXPIRED',
      severity: 'CRITICAL',
      threshold: 0,
      message: `depgate's client assertion for the ${name} expired on ${day(expiresAt)} and no new one was accepted by Apple${why}: depgate cannot get access tokens for the account. ${fix}.`,
    });
    return alerts;
  }
  const overdue = now.getTime() >= expiresAt.getTime() - account.renewBeforeMs + ASSERTION_RENEWAL_GRACE_MS;
  if (crossing !== null && overdue) {
    alerts.push({
      kind: 'APPLE_BUSINESS_ASSERTION_EXPIRING',
      severity: expirySeverity(crossing),
      threshold: crossing,
      message: `depgate's client assertion for the ${name} expires within ${crossing} day${crossing === 1 ? '' : 's'}, on ${day(expiresAt)}, and depgate could not make a new one that Apple accepts${why}; after that depgate cannot get access tokens for the account. ${fix}.`,
    });
  }
  return alerts;
}
