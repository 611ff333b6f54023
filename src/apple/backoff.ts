/**
 * Retry timing for Apple calls: bounded attempts and exponential backoff with jitter (the sleep
 * itself is the clock's). Kept apart from the clients so the arithmetic is unit-tested without HTTP.
 */

export interface RetryPolicy {
  /** Total tries including the first one (1 = never retry). */
  maxAttempts: number;
  /** Delay before the second try; doubles every try. */
  baseDelayMs: number;
  /** Upper bound of any single wait, including one asked for by `Retry-After`. */
  maxDelayMs: number;
}

/** Four tries within about 4 s of waiting: a sync page is retried, a long outage surfaces quickly. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Wait before retry number `retry` (1 = the first retry). "Equal jitter": half the exponential
 * delay is fixed, half random, so concurrent clients spread out but never retry instantly.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exponential / 2 + (exponential / 2) * r);
}

