/**
 * Relay cursor connections with keyset pagination, both ways: `edges { cursor node }`, `pageInfo`,
 * and `totalCount`, which is counted only when a client selects it. The page itself is planned by
 * keyset.ts (orders, cursors, `first`/`after` and `last`/`before`).
 */
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { getEntities, getEntitiesAndRows } from '../database/entity-rows';
import { DEFAULT_PAGE_SIZE, type KeysetColumn, type KeysetOrder, keysetPage, MAX_PAGE_SIZE, type PageArgs } from './keyset';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type KeysetColumn, type KeysetOrder } from './keyset';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class ConnectionArgs implements PageArgs {
  @Field(() => Int, { nullable: true, description: `At most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE} (when last is not given)` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page: the rows after it' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `The last rows (before \`before\`, else of the whole list), at most ${MAX_PAGE_SIZE}; not with first` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'The startCursor of the next page: the rows before it' })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What a resolver returns for a connection field; `count` runs only if totalCount is selected. */
export class ConnectionResult<T> {
  constructor(
    readonly edges: Edge<T>[],
    readonly pageInfo: PageInfo,
    private readonly count: () => Promise<number>,
  ) {}

  totalCount(): Promise<number> {
    return this.count();
  }

  map<U>(fn: (node: T) => U): ConnectionResult<U> {
    return new ConnectionResult(
      this.edges.map((e) => new MappedEdge(e, fn(e.node))),
      this.pageInfo,
      this.count,
    );
  }
}

/**
 * An edge with its node mapped. The cursor stays lazy (keyset.ts KeysetEdge): read through the
 * original edge only if selected. A class, not an object literal with a getter, which made an
 * accessor per edge (issue #15: 500 a page).
 */
class MappedEdge<T, U> implements Edge<U> {
  constructor(
    private readonly source: Edge<T>,
    readonly node: U,
  ) {}

  get cursor(): string {
    return this.source.cursor;
  }
}

/** Declares `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function ConnectionType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionObject {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'Counted only when selected' })
    totalCount(this: ConnectionResult<T>): Promise<number> {
      return ConnectionResult.prototype.totalCount.call(this);
    }
  }
  return ConnectionObject;
}

/** A list with one order: its unique key, ascending (cursors hold only the key's values). */
export const ascending = <E>(key: readonly KeysetColumn<E>[]): KeysetOrder<E> => ({ name: null, key, descending: false });

/**
 * Keyset pagination over a query builder in the given order (one statement per page): fetches one
 * row more than asked to know whether another page follows. The count query reuses the filters.
 * Relations are never joined here (they would break LIMIT): nested fields use DataLoaders. Rows
 * are hydrated by entity-rows.ts, not typeorm's transformer (a tenth of a device page's CPU).
 */
export async function paginate<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  order: KeysetOrder<E>,
  args: PageArgs,
  /** The properties the page reads, for a projection (as paginateNested's); absent: every column. */
  columns?: readonly string[] | null,
  /** More the page's own statement reads (joined, named selections), not the count's. */
  extension?: PageExtension<E> | null,
): Promise<ConnectionResult<E>> {
  const plan = keysetPage(order, args);
  const countQb = qb.clone();
  const page = qb.clone();
  if (columns) page.select(columns.map((property) => `${page.alias}.${property}`));
  for (const condition of plan.where) page.andWhere(condition.sql, condition.parameters);
  plan.orderBy.forEach((term, i) => (i === 0 ? page.orderBy(term.sql, term.direction) : page.addOrderBy(term.sql, term.direction)));
  let rows: E[] = [];
  if (plan.limit > 0 && extension) {
    extension.extend(page);
    const read = await getEntitiesAndRows(page.limit(plan.limit));
    extension.read(read.entities, read.rows);
    rows = read.entities;
  } else if (plan.limit > 0) {
    rows = await getEntities(page.limit(plan.limit));
  }
  const { edges, pageInfo } = plan.finish(rows);
  return new ConnectionResult(edges, pageInfo, () => countQb.getCount());
}

/**
 * What a list adds to its page's statement: `extend` joins and selects named expressions (never a
 * joined entity), `read` gets each entity with its raw row, before the page is cut to its size.
 */
export interface PageExtension<E extends ObjectLiteral> {
  extend(page: SelectQueryBuilder<E>): void;
  read(entities: readonly E[], rows: readonly Record<string, unknown>[]): void;
}
