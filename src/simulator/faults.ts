/**
 * Injected failures for Apple endpoints: "the next N requests to /server/devices answer 503 with
 * Retry-After: 2", or "are delayed 500 ms" (a slow endpoint, a client timeout). Each matching
 * request consumes one count of the first fault that matches it.
 */

export interface FaultSpec {
  /** HTTP status to answer with; omit with `delayMs` to only slow the request down. */
  status?: number;
  /** Response body: a string is sent as text, anything else as JSON. */
  body?: unknown;
  /** `Retry-After` header: a number of seconds or a literal value (e.g. an HTTP-date). */
  retryAfter?: number | string;
  /** Wait this long (real time) before answering or before handling normally. */
  delayMs?: number;
  /** How many matching requests this fault applies to. */
  count: number;
  /** Let this many matching requests through first ("the second chunk fails"). Default 0. */
  after?: number;
  /** Exact request path to match (`/server/devices`); all Apple paths when omitted. */
  path?: string;
  /** HTTP method to match; all when omitted. */
  method?: string;
}

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
  /** Matching requests still to let through before the fault applies. */
  pass: number;
}

export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, method: spec.method?.toUpperCase(), id: this.nextId++, remaining: spec.count, pass: spec.after ?? 0 };
    this.faults.push(fault);
    return fault;
  }

  /** Consumes one count of the first fault matching this request. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (!f.path || f.path === path) && (!f.method || f.method === method.toUpperCase()),
    );
    if (!fault) return undefined;
    if (fault.pass > 0) {
      fault.pass -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}

/** Returns an error message, or null when the spec is usable. */
export function validateFaultSpec(input: unknown): string | null {
  if (!input || typeof input !== 'object') return 'body must be an object';
  const f = input as Record<string, unknown>;
  if (!Number.isInteger(f.count) || (f.count as number) < 1) return 'count must be a positive integer';
  if (f.status === undefined && f.delayMs === undefined) return 'status or delayMs is required';
  if (f.status !== undefined && (!Number.isInteger(f.status) || (f.status as number) < 100 || (f.status as number) > 599)) {
    return 'status must be an HTTP status code';
  }
  if (f.delayMs !== undefined && (typeof f.delayMs !== 'number' || f.delayMs < 0 || f.delayMs > 600_000)) {
    return 'delayMs must be between 0 and 600000';
  }
  if (f.retryAfter !== undefined && typeof f.retryAfter !== 'number' && typeof f.retryAfter !== 'string') {
    return 'retryAfter must be a number or a string';
  }
  if (f.after !== undefined && (!Number.isInteger(f.after) || (f.after as number) < 0)) return 'after must be a whole number';
  if (f.path !== undefined && (typeof f.path !== 'string' || !f.path.startsWith('/'))) return 'path must start with /';
  if (f.method !== undefined && typeof f.method !== 'string') return 'method must be a string';
  return null;
}
