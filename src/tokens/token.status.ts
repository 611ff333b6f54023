import { registerEnumType } from 'type-graphql';
import { DAY_MS } from '../clock';
import type { DepTokenEntity } from './token.entity';

export enum DepTokenStatus {
  ACTIVE = 'ACTIVE',
  EXPIRING_SOON = 'EXPIRING_SOON',
  EXPIRED = 'EXPIRED',
  TERMS_NOT_ACCEPTED = 'TERMS_NOT_ACCEPTED',
  REJECTED = 'REJECTED',
}

registerEnumType(DepTokenStatus, {
  name: 'DepTokenStatus',
  valuesConfig: {
    ACTIVE: { description: 'Usable, not expiring within the warning window' },
    EXPIRING_SOON: { description: 'Expires within TOKEN_EXPIRING_SOON_DAYS: renew it in Apple Business Manager' },
    EXPIRED: { description: 'Apple no longer accepts it: download a new token and renew' },
    TERMS_NOT_ACCEPTED: { description: 'Apple answered T_C_NOT_SIGNED: accept the new terms in the portal' },
    REJECTED: { description: 'Apple refused the credentials (access denied)' },
  },
});

/**
 * Derived, never stored: an expired token is expired whatever else is true; Apple's refusals come
 * next because they block every call; the expiry warning last.
 */
export function depTokenStatus(
  token: Pick<DepTokenEntity, 'expiresAt' | 'termsNotAcceptedAt' | 'rejectedAt'>,
  now: Date,
  expiringSoonDays: number,
): DepTokenStatus {
  const remaining = token.expiresAt.getTime() - now.getTime();
  if (remaining <= 0) return DepTokenStatus.EXPIRED;
  if (token.rejectedAt) return DepTokenStatus.REJECTED;
  if (token.termsNotAcceptedAt) return DepTokenStatus.TERMS_NOT_ACCEPTED;
  if (remaining <= expiringSoonDays * DAY_MS) return DepTokenStatus.EXPIRING_SOON;
  return DepTokenStatus.ACTIVE;
}
