/**
 * The reads every service of a table with scope tags of its own (DEP tokens, VPP tokens) needs:
 * its rows as a caller's scope sees them. A row the caller may not see is indistinguishable from
 * one that does not exist. Services extend it so that each keeps its public read methods.
 */
import type { DataSource, EntityTarget, FindOptionsRelations, FindOptionsWhere, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from './access-scope';
import type { ScopeTagEntity } from './scope-tag.entity';
import type { ScopeTagLink } from './scope-tag-link';
import { getEntities } from '../database/entity-rows';

export type ScopeTaggedRow = ObjectLiteral & { id: string; scopeTags?: ScopeTagEntity[] };

export abstract class ScopeTaggedReads<E extends ScopeTaggedRow> {
  private readonly rows: Repository<E>;

  protected constructor(
    private readonly db: DataSource,
    entity: EntityTarget<E>,
    private readonly link: ScopeTagLink,
    /** The alias of `listQuery` (keyset columns of connections name it). */
    private readonly alias: string,
  ) {
    this.rows = db.getRepository(entity);
  }

  /** Base query of the type's connection: visible rows only. */
  listQuery(scope: AccessScope): SelectQueryBuilder<E> {
    return scope.restrict(this.rows.createQueryBuilder(this.alias), [this.link, `${this.alias}.id`]);
  }

  /** The row with its tags when the scope may see it; null otherwise. */
  async findVisible(id: string, scope: AccessScope): Promise<E | null> {
    const row = await this.listQuery(scope).andWhere(`${this.alias}.id = :id`, { id }).getOne();
    return row ? this.findWithTags(row.id) : null;
  }

  async findVisibleByIds(ids: readonly string[], scope: AccessScope): Promise<E[]> {
    if (ids.length === 0) return [];
    return getEntities(this.listQuery(scope).andWhere(`${this.alias}.id IN (:...ids)`, { ids: [...ids] }));
  }

  /** Scope tag ids per row, in one query (for the DataLoader); a row without tags gets []. */
  async scopeTagIdsByToken(ids: readonly string[]): Promise<Map<string, string[]>> {
    const { table, ownerColumn } = this.link;
    const rows: { owner_id: string; scope_tag_id: string }[] = ids.length
      ? await this.db.query(`SELECT ${ownerColumn} AS owner_id, scope_tag_id FROM ${table} WHERE ${ownerColumn} = ANY($1::uuid[])`, [[...ids]])
      : [];
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    rows.forEach((r) => map.get(r.owner_id)?.push(r.scope_tag_id));
    return map;
  }

  protected findWithTags(id: string): Promise<E> {
    return this.rows.findOneOrFail({
      where: { id } as FindOptionsWhere<E>,
      relations: { scopeTags: true } as FindOptionsRelations<E>,
    });
  }
}
