/**
 * The signature receivers verify: `X-Depgate-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * under the webhook's secret, with `X-Depgate-Timestamp: <unix seconds>` (receivers refuse old
 * timestamps to stop replays; the body carries a delivery id for at-least-once deduplication).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Depgate-Timestamp';
export const SIGNATURE_HEADER = 'X-Depgate-Signature';
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 200;

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does; exported for tests and documentation. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhookBody(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
