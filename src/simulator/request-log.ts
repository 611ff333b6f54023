/**
 * What the simulator saw, for tests that count retries or check headers. Only non-secret facts:
 * never the Authorization or X-ADM-Auth-Session values, never bodies.
 */

export type SessionCheck = 'valid' | 'missing' | 'invalid' | 'expired' | 'not-required';

export interface RequestLogEntry {
  seq: number;
  /** Simulator clock, ISO. */
  at: string;
  method: string;
  path: string;
  /** Filled when the response is sent; absent if the client went away first. */
  status?: number;
  userAgent?: string;
  protocolVersion?: string;
  contentType?: string;
  hasSessionHeader: boolean;
  session: SessionCheck;
  hasAuthorizationHeader: boolean;
  bodyBytes: number;
  /** How many entries the body's `devices` list held (assignment, removal, details): Apple's per-request limits are checked on it. */
  deviceCount?: number;
  /** True when an injected fault answered or delayed this request. */
  fault: boolean;
  /** True when the response carried a rotated X-ADM-Auth-Session. */
  sessionRotated: boolean;
  /** The client closed the connection before the response was sent (e.g. its timeout). */
  aborted: boolean;
}

/** A bounded ring: a long demo run must not grow without limit. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, seq: ++this.seq };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  /** The most recent `limit` entries (oldest first), optionally for one path only. */
  list(options: { limit?: number; path?: string } = {}): RequestLogEntry[] {
    const matching = options.path ? this.entries.filter((e) => e.path === options.path) : this.entries;
    const limit = options.limit ?? matching.length;
    return matching.slice(Math.max(0, matching.length - limit)).map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
