/**
 * JSON logs (pino). Request-scoped lines carry `requestId` through child loggers. Redaction is a
 * second line of defence: secrets are never passed to the logger in the first place. Logged errors
 * (`err`) go through one serializer that drops the values of failed statements (loggable-error.ts):
 * a failing INSERT is logged as its SQL text, never with its parameters.
 */
import pino, { type Logger } from 'pino';
import { withoutStatementValues } from './database/loggable-error';

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
  return pino(
    {
      level,
      base: { service: 'depgate' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    destination,
  );
}

/** pino's error serializer (type, message, stack, cause chain), minus statement values. */
export function serializeError(err: unknown): unknown {
  return withoutStatementValues(err instanceof Error ? pino.stdSerializers.err(err) : err);
}
