/**
 * RATE_LIMIT_PER_MINUTE per API key, across every instance on the database and both transports: a
 * token bucket per key (capacity: the per-minute limit; refilled continuously at limit/60 per
 * second) in the api_key_rate_limits table, taken from with one atomic UPSERT per request. A
 * refused request writes nothing, so it costs the key nothing and the bucket keeps refilling.
 * The bucket follows the app's clock, so tests move time; another instance's clock running behind
 * never refills a bucket twice (refilled_at only moves forward).
 */
import type { Clock } from '../clock';
import type { SqlRunner } from '../database/sql-runner';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

export type RateDecision = { allowed: true; retryAfterSeconds?: never } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: RateDecision = { allowed: true };

// $1 key, $2 now, $3 capacity (= per minute). `refilled` is the bucket as it stands at $2.
const REFILLED = `LEAST($3::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($2::timestamptz - b.refilled_at)))::float8 * $3::float8 / 60)`;
const TAKE = `
  WITH taken AS (
    INSERT INTO api_key_rate_limits AS b (api_key_id, tokens, refilled_at)
    VALUES ($1, $3::float8 - 1, $2)
    ON CONFLICT (api_key_id) DO UPDATE
      SET tokens = ${REFILLED} - 1, refilled_at = GREATEST(b.refilled_at, EXCLUDED.refilled_at)
      WHERE ${REFILLED} >= 1
    RETURNING b.tokens
  )
  SELECT true AS allowed, tokens FROM taken
  UNION ALL
  SELECT false AS allowed, ${REFILLED} AS tokens FROM api_key_rate_limits b
   WHERE b.api_key_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`;

export class ApiKeyRateLimiter {
  constructor(
    private readonly db: SqlRunner,
    private readonly clock: Clock,
    /** 0: no limit (no query either). */
    private readonly perMinute: number,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes one request from the key's bucket, or says when the next one will be there. */
  async take(apiKeyId: string): Promise<RateDecision> {
    if (!this.enabled) return ALLOWED;
    const [row] = (await this.db.query(TAKE, [apiKeyId, this.clock.now(), this.perMinute])) as { allowed: boolean; tokens: number }[];
    if (row?.allowed) return ALLOWED;
    const missing = 1 - (row ? Number(row.tokens) : 0);
    // The epsilon keeps float noise (5.0000000001 s) from adding a second.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((missing * 60) / this.perMinute - 1e-6)) };
  }
}

export function rateLimitedError(retryAfterSeconds: number): DomainError {
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `This API key is over its rate limit (RATE_LIMIT_PER_MINUTE): retry in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}
