import { registerEnumType } from 'type-graphql';
import { appleTokenStatus } from '../apple-tokens/apple-token.status';

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

/** The expiry rule of DEP and VPP tokens (TOKEN_EXPIRING_SOON_DAYS); Apple refuses a certificate only by its expiry. */
const statusOf = appleTokenStatus(
  { expired: ApnsCertificateStatus.EXPIRED, expiringSoon: ApnsCertificateStatus.EXPIRING_SOON, usable: ApnsCertificateStatus.VALID },
  () => null,
);

export function apnsCertificateStatus(notAfter: Date, now: Date, expiringSoonDays: number): ApnsCertificateStatus {
  return statusOf({ expiresAt: notAfter }, now, expiringSoonDays);
}
