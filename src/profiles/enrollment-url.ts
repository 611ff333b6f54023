/**
 * Where devices enroll: the MDM server's URL, sent to Apple as every profile's `url`. A token's
 * own URL (tokens may feed different MDM servers) wins over ENROLLMENT_URL; with neither, profiles
 * are refused where Apple is real (the placeholder is only configured with the simulator).
 */
import type { Config } from '../config';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { ENROLLMENT_URL_MAX_LENGTH } from './profile.rules';

/** The trimmed URL, or ENROLLMENT_URL_INVALID / ENROLLMENT_URL_TOO_LONG on `enrollmentUrl`. */
export function validEnrollmentUrl(value: string, httpsOnly: boolean): string {
  const trimmed = value.trim();
  if (trimmed.length > ENROLLMENT_URL_MAX_LENGTH) {
    throw new DomainError(ErrorCode.ENROLLMENT_URL_TOO_LONG, `enrollmentUrl is ${trimmed.length} characters long; Apple accepts at most ${ENROLLMENT_URL_MAX_LENGTH}`, {
      field: 'enrollmentUrl',
    });
  }
  let url: URL | null = null;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  const protocols = httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!url || !protocols.includes(url.protocol) || url.hostname === '' || url.username || url.password) {
    throw new DomainError(
      ErrorCode.ENROLLMENT_URL_INVALID,
      `enrollmentUrl must be the MDM server's absolute ${httpsOnly ? 'https' : 'http(s)'} enrollment URL, without credentials`,
      { field: 'enrollmentUrl' },
    );
  }
  return trimmed;
}

/** The URL a token's profiles send devices to; undefined when none is configured. */
export function effectiveEnrollmentUrl(token: { enrollmentUrl: string | null }, config: Pick<Config, 'enrollmentUrl'>): string | undefined {
  return token.enrollmentUrl ?? config.enrollmentUrl;
}
