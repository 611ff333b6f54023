/**
 * Opaque cursors for `/server/devices` and `/devices/sync`. A cursor is base64url(JSON) plus an
 * HMAC tag keyed by a per-simulator secret, so a client cannot forge or edit one: anything that
 * does not verify, belongs to another server, or points outside the server's data is INVALID_CURSOR.
 * Positions index append-only arrays, so serving a page never scans the whole device set.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CursorPayload {
  /** Server uuid the cursor was issued for. */
  s: string;
  /** Fetch: next position in the server's device slots. Absent on sync cursors. */
  p?: number;
  /** Fetch: number of device slots in the snapshot (the fetch ends there). */
  n?: number;
  /** Position in the server's change-event log from which a sync continues. */
  e: number;
  /** Issue time (ms, simulator clock): sync refuses cursors older than 7 days. */
  t: number;
}

export class CursorCodec {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.tag(body)}`;
  }

  /** Returns null for anything this simulator did not issue. */
  decode(cursor: string): CursorPayload | null {
    if (typeof cursor !== 'string' || cursor.length > 2048) return null;
    const dot = cursor.indexOf('.');
    if (dot <= 0) return null;
    const body = cursor.slice(0, dot);
    const tag = Buffer.from(cursor.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.tag(body), 'utf8');
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) return null;
    try {
      const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      return isPayload(value) ? value : null;
    } catch {
      return null;
    }
  }

  private tag(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
  }
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPayload(v: unknown): v is CursorPayload {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  if (typeof c.s !== 'string' || !isNat(c.e) || !isNat(c.t)) return false;
  if ((c.p === undefined) !== (c.n === undefined)) return false;
  return c.p === undefined || (isNat(c.p) && isNat(c.n));
}
