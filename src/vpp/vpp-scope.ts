/**
 * Scope-tag visibility of VPP tokens.
 *
 * VPP (Apps and Books) tokens belong to a purchasing location, not to a DEP token, so they cannot
 * inherit a DEP token's tags. As in Intune, they carry scope tags of their own
 * (`vpp_token_scope_tags`):
 * - a key without scope tags sees and manages every VPP token;
 * - a key with scope tags sees a VPP token only when the token carries one of its tags (a token
 *   without tags is visible to unrestricted keys only, exactly like a DEP token without tags);
 * - a scoped key uploading a token without naming tags gives it all of its own tags (otherwise it
 *   could not see its own upload), and may only assign tags it holds;
 * - alerts about a VPP token (expiry, licences) follow the token's visibility, and a profile may
 *   only choose a Company Portal VPP token its caller can see.
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';

let sequence = 0;

export function restrictVppTokens<E extends ObjectLiteral>(scope: AccessScope, qb: SelectQueryBuilder<E>, vppTokenIdSql: string): SelectQueryBuilder<E> {
  if (scope.unrestricted) return qb;
  const param = `vppScopeTags${++sequence}`;
  return qb.andWhere(
    `EXISTS (SELECT 1 FROM vpp_token_scope_tags vts WHERE vts.vpp_token_id = ${vppTokenIdSql} AND vts.scope_tag_id = ANY(CAST(:${param} AS uuid[])))`,
    { [param]: [...scope.scopeTagIds] },
  );
}

/** The same rule as a raw SQL fragment with its positional parameter. */
export function vppTokenConditionSql(scope: AccessScope, vppTokenIdSql: string, paramIndex: number): { sql: string; params: unknown[] } {
  if (scope.unrestricted) return { sql: 'TRUE', params: [] };
  return {
    sql: `EXISTS (SELECT 1 FROM vpp_token_scope_tags vts WHERE vts.vpp_token_id = ${vppTokenIdSql} AND vts.scope_tag_id = ANY($${paramIndex}::uuid[]))`,
    params: [[...scope.scopeTagIds]],
  };
}
