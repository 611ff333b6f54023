import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API key secrets: `dg_` + 32 random bytes (base64url). Shown once, stored as SHA-256. */
export const SECRET_PREFIX_LENGTH = 12;

export function generateApiKeySecret(): string {
  return `dg_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKeySecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * The indexed lookup key: the start of the secret's hash, not of the secret, so that nothing of an
 * operator-chosen secret (BOOTSTRAP_API_KEY) is stored in plain text.
 */
export function secretPrefix(secret: string): string {
  return hashApiKeySecret(secret).toString('hex').slice(0, SECRET_PREFIX_LENGTH);
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashApiKeySecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}

/** `Bearer <secret>` from an Authorization header value; null when absent or malformed. */
export function bearerSecret(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S{16,512})\s*$/i.exec(header);
  return match ? match[1] : null;
}
