import { registerEnumType } from 'type-graphql';
import { appleTokenStatus } from '../apple-tokens/apple-token.status';
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

/** Of Apple's refusals access denied comes first: it needs new credentials, unsigned terms only a click in the portal. */
export const depTokenStatus = appleTokenStatus(
  { expired: DepTokenStatus.EXPIRED, expiringSoon: DepTokenStatus.EXPIRING_SOON, usable: DepTokenStatus.ACTIVE },
  (token: Pick<DepTokenEntity, 'expiresAt' | 'termsNotAcceptedAt' | 'rejectedAt'>) =>
    token.rejectedAt ? DepTokenStatus.REJECTED : token.termsNotAcceptedAt ? DepTokenStatus.TERMS_NOT_ACCEPTED : null,
);
