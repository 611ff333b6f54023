import { registerEnumType } from 'type-graphql';
import { DAY_MS } from '../clock';

export enum ApnsCertificateStatus {
  VALID = 'VALID',
  EXPIRING_SOON = 'EXPIRING_SOON',
  EXPIRED = 'EXPIRED',
}
registerEnumType(ApnsCertificateStatus, {
  name: 'ApnsCertificateStatus',
  valuesConfig: {
    VALID: { description: 'Valid for longer than TOKEN_EXPIRING_SOON_DAYS' },
    EXPIRING_SOON: { description: 'Expires within TOKEN_EXPIRING_SOON_DAYS: renew it' },
    EXPIRED: { description: 'Expired: enrolled devices no longer take commands' },
  },
});

export function apnsCertificateStatus(notAfter: Date, now: Date, expiringSoonDays: number): ApnsCertificateStatus {
  const remaining = notAfter.getTime() - now.getTime();
  if (remaining <= 0) return ApnsCertificateStatus.EXPIRED;
  if (remaining <= expiringSoonDays * DAY_MS) return ApnsCertificateStatus.EXPIRING_SOON;
  return ApnsCertificateStatus.VALID;
}
