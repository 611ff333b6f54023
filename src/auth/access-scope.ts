/**
 * Scope-tag visibility, the rule behind every list, `node`, nested field, mutation and subscription:
 * a key with scope tags sees a DEP token only when the token carries one of its tags, and sees
 * profiles, devices, sync runs and alerts only through such a token (inheritance); VPP tokens carry
 * tags of their own (see scope-tag-link.ts). A key without scope tags sees everything.
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Principal } from './principal';
import { DEP_TOKEN_TAGS, type ScopeTagLink } from './scope-tag-link';

/**
 * The parameter that holds a scoped key's tags. One name, not one per call: a query's text is then
 * the same request after request (src/database/statement-cache.ts remembers it by its shape). Every
 * restriction of one query comes from the same viewer, so a second one binds the same tags to the
 * same name; a query that met two scopes would be refused (restrict).
 */
const TAGS_PARAMETER = 'scopeTags';

export class AccessScope {
  readonly scopeTagIds: readonly string[];

  constructor(principal: Pick<Principal, 'scopeTagIds'>) {
    this.scopeTagIds = [...principal.scopeTagIds];
  }

  get unrestricted(): boolean {
    return this.scopeTagIds.length === 0;
  }

  /** Whether a token with these scope tags is visible. */
  canSeeTokenWithTags(tokenScopeTagIds: readonly string[]): boolean {
    return this.unrestricted || tokenScopeTagIds.some((id) => this.scopeTagIds.includes(id));
  }

  /** The tags of an object this key may name: a scoped key does not learn other scopes' tags. */
  visibleTags<T extends { id: string }>(tags: readonly T[]): T[] {
    return this.unrestricted ? [...tags] : tags.filter((t) => this.scopeTagIds.includes(t.id));
  }

  /** Whether every one of these tags is the key's own (a scoped key cannot grant others). */
  holdsAll(scopeTagIds: readonly string[]): boolean {
    return this.unrestricted || scopeTagIds.every((id) => this.scopeTagIds.includes(id));
  }

  /**
   * Restricts a query to rows whose token (the SQL expression `tokenIdSql`, e.g. `d.token_id`) is
   * visible. One EXISTS over the token's tags: indexes on dep_token_scope_tags make it cheap.
   */
  restrictTokens<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, tokenIdSql: string): SelectQueryBuilder<E> {
    return this.restrict(qb, [DEP_TOKEN_TAGS, tokenIdSql]);
  }

  /** The same rule as a plain SQL fragment with its parameter, for raw queries. */
  tokenConditionSql(tokenIdSql: string, paramIndex: number): { sql: string; params: unknown[] } {
    if (this.unrestricted) return { sql: 'TRUE', params: [] };
    return { sql: this.taggedSql(DEP_TOKEN_TAGS, tokenIdSql, `$${paramIndex}::uuid[]`), params: [[...this.scopeTagIds]] };
  }

  /**
   * Restricts a query to rows of which at least one owner is visible: each owner is a tag table and
   * the SQL naming the tagged object, e.g. `[VPP_TOKEN_TAGS, 'v.id']` (an alert names a DEP or a
   * VPP token, so it passes both).
   */
  restrict<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, ...owners: [ScopeTagLink, string][]): SelectQueryBuilder<E> {
    if (this.unrestricted) return qb;
    this.refuseOtherScope(qb);
    const visible = owners.map(([link, ownerIdSql]) => this.taggedSql(link, ownerIdSql, `CAST(:${TAGS_PARAMETER} AS uuid[])`));
    return qb.andWhere(visible.length === 1 ? visible[0] : `(${visible.join(' OR ')})`, { [TAGS_PARAMETER]: [...this.scopeTagIds] });
  }

  /**
   * The token rule as a condition for a LEFT JOIN's ON (`tokenIdSql` names the joined row's token),
   * its parameter bound on `qb`: a row the key may not see joins as nulls, where a WHERE would drop
   * the row it joins to.
   */
  tokenJoinCondition<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, tokenIdSql: string): string {
    if (this.unrestricted) return 'TRUE';
    this.refuseOtherScope(qb);
    qb.setParameter(TAGS_PARAMETER, [...this.scopeTagIds]);
    return this.taggedSql(DEP_TOKEN_TAGS, tokenIdSql, `CAST(:${TAGS_PARAMETER} AS uuid[])`);
  }

  private refuseOtherScope(qb: SelectQueryBuilder<ObjectLiteral>): void {
    const bound = qb.expressionMap.parameters[TAGS_PARAMETER] as readonly string[] | undefined;
    if (bound && (bound.length !== this.scopeTagIds.length || bound.some((id, i) => id !== this.scopeTagIds[i]))) {
      throw new Error('AccessScope: this query is already restricted to the scope tags of another key');
    }
  }

  /** The one visibility test: the object carries one of the key's tags (`tagsSql`, a uuid[]). */
  private taggedSql(link: ScopeTagLink, ownerIdSql: string, tagsSql: string): string {
    const t = link.alias;
    return `EXISTS (SELECT 1 FROM ${link.table} ${t} WHERE ${t}.${link.ownerColumn} = ${ownerIdSql} AND ${t}.scope_tag_id = ANY(${tagsSql}))`;
  }
}
