/**
 * Replacing the scope tags of an object (a DEP or VPP token) on behalf of a caller. A caller with
 * scope tags changes only the tags it holds: tags of other scopes stay, so one scoped admin cannot
 * take a token away from another scope (or move it there). An unrestricted caller replaces all.
 */
import type { EntityManager } from 'typeorm';
import type { AccessScope } from './access-scope';

export interface ScopeTagLink {
  /** The join table, e.g. `dep_token_scope_tags`. */
  table: 'dep_token_scope_tags' | 'vpp_token_scope_tags';
  /** Its column naming the tagged object, e.g. `token_id`. */
  ownerColumn: 'token_id' | 'vpp_token_id';
}

export async function replaceScopeTags(
  manager: EntityManager,
  link: ScopeTagLink,
  ownerId: string,
  tagIds: readonly string[],
  scope: AccessScope,
): Promise<void> {
  if (scope.unrestricted) {
    await manager.query(`DELETE FROM ${link.table} WHERE ${link.ownerColumn} = $1`, [ownerId]);
  } else {
    await manager.query(`DELETE FROM ${link.table} WHERE ${link.ownerColumn} = $1 AND scope_tag_id = ANY($2::uuid[])`, [
      ownerId,
      [...scope.scopeTagIds],
    ]);
  }
  if (tagIds.length) {
    await manager.query(
      `INSERT INTO ${link.table} (${link.ownerColumn}, scope_tag_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [ownerId, [...tagIds]],
    );
  }
}
