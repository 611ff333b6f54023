/**
 * Alert.threshold in the API: the day threshold a rule crossed, for every kind whose rule crosses
 * one (expiry, failing syncs, migration deadlines), and null for the kinds that have none (the
 * stored 0 of an expired token or certificate, a refusal, licences, a disabled webhook).
 */
import 'reflect-metadata';
import { DAY_MS } from '../../../src/clock';
import type { AlertEntity } from '../../../src/alerts/alert.entity';
import { apnsCertificateAlerts, depTokenAlerts, webhookAlerts, type DesiredAlert } from '../../../src/alerts/alert.rules';
import { Alert } from '../../../src/alerts/alert.types';

const now = new Date('2026-11-26T09:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
const options = { expiryDays: [30, 14, 7, 1], licensesLow: 10 };

const shown = (desired: DesiredAlert) =>
  Alert.from({
    id: '00000000-0000-4000-8000-000000000001',
    kind: desired.kind,
    severity: desired.severity,
    depTokenId: null,
    vppTokenId: null,
    apnsCertificateId: null,
    webhookId: null,
    subjectId: '00000000-0000-4000-8000-000000000002',
    subjectName: 'x',
    threshold: desired.threshold,
    message: desired.message,
    raisedAt: now,
    resolvedAt: null,
    resolution: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  } as AlertEntity).threshold;

const depToken = {
  name: 'Head office',
  expiresAt: at(5),
  termsNotAcceptedAt: null,
  rejectedAt: null,
  lastSuccessfulSyncAt: at(-4),
  lastSyncError: null,
  createdAt: at(-100),
  migratingDevices: 2,
  nextMigrationDeadline: at(6),
};

it('shows the crossed day threshold of expiry, failing syncs and migration deadlines', () => {
  const alerts = depTokenAlerts(depToken, now, options);
  expect(alerts.map((a) => [a.kind, shown(a)]).sort()).toEqual(
    [
      ['DEP_TOKEN_EXPIRING', 7],
      ['DEP_SYNC_FAILING', 3],
      ['DEVICE_MIGRATION_DEADLINE', 7],
    ].sort(),
  );
  const [apns] = apnsCertificateAlerts({ topic: 'com.apple.mgmt.External.x', appleId: 'a@example.com', notAfter: at(20) }, now, options);
  expect([apns.kind, shown(apns)]).toEqual(['APNS_CERT_EXPIRING', 30]);
});

it('shows null for kinds without a threshold', () => {
  const [expired] = depTokenAlerts({ ...depToken, expiresAt: at(-1), migratingDevices: 0 }, now, options).filter((a) => a.kind === 'DEP_TOKEN_EXPIRED');
  expect(shown(expired)).toBeNull();
  const [apns] = apnsCertificateAlerts({ topic: 'com.apple.mgmt.External.x', appleId: 'a@example.com', notAfter: at(-1) }, now, options);
  expect([apns.kind, shown(apns)]).toEqual(['APNS_CERT_EXPIRED', null]);
  const [disabled] = webhookAlerts({ host: 'example.com', disabledAt: now, reason: 'HTTP 500' }, now, options);
  expect([disabled.kind, shown(disabled)]).toEqual(['WEBHOOK_DISABLED', null]);
});
