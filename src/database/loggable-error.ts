/**
 * Errors as log lines may show them: a failed statement is logged with its SQL text (placeholders
 * `$1`, `$2`, ...) and its SQLSTATE, constraint, table and column, but never the values it was sent.
 * TypeORM's QueryFailedError carries every `parameters` value (an API key's hash, sealed secrets),
 * and PostgreSQL's `detail` quotes them back ("Failing row contains (...)", "Key (x)=(...)"), so both
 * are dropped wherever they appear in the error, its `driverError` or its `cause` chain.
 */

/** Properties that hold the values a statement was sent. */
const VALUE_KEYS = new Set(['parameters', 'detail']);
const MAX_DEPTH = 8;

/** A copy of a serialized error (a plain object) without the values of any statement in it. */
export function withoutStatementValues<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => withoutStatementValues(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (VALUE_KEYS.has(key)) continue;
    out[key] = withoutStatementValues(v, depth + 1);
  }
  return out as T;
}
