/**
 * The wire format of one event on the NOTIFY channel: `{"topic": ..., "payload": ..., "id": ...}`.
 * Every topic shares one channel, so the topic travels inside the payload.
 */
import { randomBytes } from 'node:crypto';

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more (default build). The check runs here,
 * before the round trip, so the publisher gets a clear error instead of a SQL one.
 */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

export interface EventEnvelope {
  topic: string;
  payload: unknown;
  /**
   * Random per event. PostgreSQL folds identical NOTIFYs sent in one transaction into one, which
   * would silently drop a repeated event (e.g. the same counters twice); a unique id prevents it.
   */
  id: string;
}

export class EventPayloadTooLargeError extends Error {
  constructor(
    readonly topic: string,
    readonly bytes: number,
  ) {
    super(
      `Event "${topic}" is ${bytes} bytes as JSON; NOTIFY payloads must stay under ${MAX_NOTIFY_PAYLOAD_BYTES + 1} bytes. ` +
        'Send ids and counters, not rows.',
    );
    this.name = 'EventPayloadTooLargeError';
  }
}

export class PubSubClosedError extends Error {
  constructor() {
    super('The event pub/sub is closed');
    this.name = 'PubSubClosedError';
  }
}

/** Serialises and size-checks an event; throws EventPayloadTooLargeError synchronously. */
export function encodeEnvelope(topic: string, payload: unknown): string {
  if (typeof topic !== 'string' || topic === '') throw new TypeError('An event topic must be a non-empty string');
  const envelope: EventEnvelope = { topic, payload: payload ?? null, id: randomBytes(6).toString('hex') };
  const text = JSON.stringify(envelope);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_NOTIFY_PAYLOAD_BYTES) throw new EventPayloadTooLargeError(topic, bytes);
  return text;
}

/** Parses a notification; null when it is not one of ours (another writer on the channel). */
export function decodeEnvelope(text: string): EventEnvelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { topic, payload, id } = value as Record<string, unknown>;
  if (typeof topic !== 'string' || topic === '') return null;
  return { topic, payload: payload ?? null, id: typeof id === 'string' ? id : '' };
}
