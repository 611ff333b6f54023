/**
 * Replacing the scope tags of an object (a DEP or VPP token) on behalf of a caller. A caller with
 * scope tags changes only the tags it holds: tags of other scopes stay, so one scoped admin cannot
 * take a token away from another scope (or move it there). An unrestricted caller replaces all.
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import { DomainError, badInput } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { AccessScope } from './access-scope';
import type { ScopeTagLink } from './scope-tag-link';
import { ScopeTagEntity } from './scope-tag.entity';

/**
 * The tags a caller may give an object. A scoped key may only use its own tags, and an object it
 * creates (or retags) without naming any takes all of them (otherwise it could not see its own
 * work). Unknown tags are refused.
 */
export async function resolveScopeTagIds(dataSource: DataSource, ids: readonly string[] | null | undefined, scope: AccessScope): Promise<string[]> {
  const wanted = [...new Set(ids ?? [])];
  if (!scope.unrestricted) {
    if (wanted.length === 0) return [...scope.scopeTagIds];
    if (!scope.holdsAll(wanted)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'A key with scope tags can only use its own scope tags', { field: 'scopeTagIds' });
    }
  }
  if (wanted.length) {
    const found = await dataSource.getRepository(ScopeTagEntity).count({ where: { id: In(wanted) } });
    if (found !== wanted.length) throw badInput('scopeTagIds names a scope tag that does not exist', 'scopeTagIds');
  }
  return wanted;
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
  await addScopeTags(manager, link, ownerId, tagIds);
}

/** Gives an object these tags (those it has already stay). */
export async function addScopeTags(manager: EntityManager, link: ScopeTagLink, ownerId: string, tagIds: readonly string[]): Promise<void> {
  if (tagIds.length) {
    await manager.query(
      `INSERT INTO ${link.table} (${link.ownerColumn}, scope_tag_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [ownerId, [...tagIds]],
    );
  }
}
