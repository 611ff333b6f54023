/**
 * JSON logs (pino). Request-scoped lines carry `requestId` through child loggers. Redaction is a
 * second line of defence: secrets are never passed to the logger in the first place.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  '*.secret',
  '*.privateKey',
  '*.privateKeyPem',
  '*.consumerSecret',
  '*.accessSecret',
  '*.accessToken',
  '*.tokenFile',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'depgate' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
