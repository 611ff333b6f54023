import { registerEnumType } from 'type-graphql';
import { appleTokenStatus } from '../apple-tokens/apple-token.status';
import type { VppTokenEntity } from './vpp-token.entity';

export enum VppTokenStatus {
  VALID = 'VALID',
  EXPIRING_SOON = 'EXPIRING_SOON',
  EXPIRED = 'EXPIRED',
  INVALID = 'INVALID',
}

registerEnumType(VppTokenStatus, {
  name: 'VppTokenStatus',
  valuesConfig: {
    VALID: { description: 'Usable, not expiring within the warning window' },
    EXPIRING_SOON: { description: 'Expires within TOKEN_EXPIRING_SOON_DAYS: download a new token and renew' },
    EXPIRED: { description: 'Past its expiry (or Apple said so): Company Portal falls back to the App Store and an Apple ID' },
    INVALID: { description: 'Apple refused the token (revoked by a newer download, or invalid): renew it' },
  },
});

/** A token Apple called expired (9621) is EXPIRED before its date; any other refusal makes it INVALID. */
export const vppTokenStatus = appleTokenStatus(
  { expired: VppTokenStatus.EXPIRED, expiringSoon: VppTokenStatus.EXPIRING_SOON, usable: VppTokenStatus.VALID },
  (token: Pick<VppTokenEntity, 'expiresAt' | 'invalidAt' | 'invalidReason'>) =>
    token.invalidReason === 'EXPIRED' ? VppTokenStatus.EXPIRED : token.invalidAt ? VppTokenStatus.INVALID : null,
);

export type LicenceLevel = 'UNKNOWN' | 'OK' | 'LOW' | 'EXHAUSTED';

/**
 * The Company Portal licence verdict behind VPP_LICENSES_LOW / VPP_LICENSES_EXHAUSTED and the
 * profile fallback warning: none available is EXHAUSTED; fewer than `lowCount` (VPP_LICENSES_LOW)
 * or fewer than 10 % of the total is LOW; UNKNOWN before the first successful read.
 */
export const LOW_LICENCE_SHARE = 0.1;

export function licenceLevel(
  counts: { total: number | null; available: number | null },
  lowCount: number,
): LicenceLevel {
  if (counts.total === null || counts.available === null) return 'UNKNOWN';
  if (counts.available <= 0) return 'EXHAUSTED';
  if (counts.available < lowCount || counts.available < counts.total * LOW_LICENCE_SHARE) return 'LOW';
  return 'OK';
}
