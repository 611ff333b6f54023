/**
 * The API account's private key as an admin pastes it: Apple's portal downloads a P-256 key as
 * SEC1 (`EC PRIVATE KEY`); PKCS#8 (`PRIVATE KEY`) is accepted too. Stored as PKCS#8, sealed.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

export const MAX_PRIVATE_KEY_PEM_LENGTH = 4096;

export function parseAccountKey(pem: string): { key: KeyObject; pkcs8Pem: string } {
  const invalid = (why: string) => new DomainError(ErrorCode.APPLE_BUSINESS_KEY_INVALID, `privateKeyPem ${why}: paste the .pem Apple's portal downloaded for the API account`, { field: 'privateKeyPem' });
  if (typeof pem !== 'string' || pem.length > MAX_PRIVATE_KEY_PEM_LENGTH) throw invalid(`must be at most ${MAX_PRIVATE_KEY_PEM_LENGTH} characters`);
  if (!/-----BEGIN (EC )?PRIVATE KEY-----/.test(pem)) throw invalid('is not an EC PRIVATE KEY or PRIVATE KEY PEM');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw invalid('cannot be read');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw invalid('is not a P-256 (ES256) key');
  return { key, pkcs8Pem: key.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function openAccountKey(pkcs8Pem: string): KeyObject {
  return createPrivateKey({ key: pkcs8Pem, format: 'pem' });
}
