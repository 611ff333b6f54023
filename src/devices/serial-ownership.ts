/**
 * A serial lives under one token at a time, and assigning or importing it under another token
 * moves its row. A key may only move rows it could see: serials held by a token outside the key's
 * scope are refused instead (without naming the token).
 */
import type { AccessScope } from '../auth/access-scope';
import type { SqlRunner } from '../database/sql-runner';

export const HELD_OUT_OF_SCOPE_MESSAGE = 'Another DEP token, outside what this key may see, holds this serial number.';

/** The serials among `serials` that a token other than `tokenId`, invisible to `scope`, holds. */
export async function serialsHeldOutOfScope(db: SqlRunner, tokenId: string, serials: readonly string[], scope: AccessScope): Promise<Set<string>> {
  if (serials.length === 0 || scope.unrestricted) return new Set();
  const visible = scope.tokenConditionSql('d.token_id', 3);
  const rows: { serial_number: string }[] = await db.query(
    `SELECT d.serial_number FROM devices d
      WHERE d.serial_number = ANY($1::text[]) AND d.token_id <> $2 AND NOT (${visible.sql})`,
    [serials, tokenId, ...visible.params],
  );
  return new Set(rows.map((r) => r.serial_number));
}

/**
 * SET items of an upsert that may move a row here from another token (`moved`: that condition in
 * SQL, the row aliased `d`): the assignment state earned under the token it leaves stays behind
 * (result and time, failures, retry, and an admin's profile removal there, which must not keep
 * this token's default rule away). The sync page and the import share it.
 */
export function assignmentStateLeftBehind(moved: string): string {
  return [
    `last_assignment_result = CASE WHEN ${moved} THEN NULL ELSE d.last_assignment_result END`,
    `last_assignment_at = CASE WHEN ${moved} THEN NULL ELSE d.last_assignment_at END`,
    `assignment_failure_count = CASE WHEN ${moved} THEN 0 ELSE d.assignment_failure_count END`,
    `next_assignment_retry_at = CASE WHEN ${moved} THEN NULL ELSE d.next_assignment_retry_at END`,
    `profile_removed_at = CASE WHEN ${moved} THEN NULL ELSE d.profile_removed_at END`,
  ].join(',\n');
}
