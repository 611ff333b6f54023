/**
 * Relay cursor connections with keyset pagination: `edges { cursor node }`, `pageInfo`, and
 * `totalCount`, which is counted only when a client selects it.
 */
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badInput } from './domain-error';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

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
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `At most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
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
      this.edges.map((e) => ({ cursor: e.cursor, node: fn(e.node) })),
      this.pageInfo,
      this.count,
    );
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

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}

export interface KeysetColumn<E> {
  /** SQL expression, e.g. `t.created_at`. */
  sql: string;
  /** Reads the key from a loaded row (its JSON form goes into the cursor). */
  value: (row: E) => string | number;
  /** How the cursor value is cast back in SQL. */
  cast?: 'timestamptz' | 'uuid' | 'text' | 'int' | 'bigint';
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Longer than any cursor this API hands out (two keys of at most a few dozen characters). */
const MAX_CURSOR_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether a cursor value fits its key's type as encodeCursor writes it. Cursors are base64 JSON a
 * client can write by hand; a value PostgreSQL cannot cast (`["x","y"]` where a timestamp belongs)
 * would otherwise fail the statement and surface as a masked 500.
 */
function fitsKey(value: unknown, cast: KeysetColumn<never>['cast']): boolean {
  switch (cast) {
    case 'timestamptz':
      // Exactly what Date#toISOString wrote: no other shape, no date that does not exist.
      return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'int':
    case 'bigint':
      return typeof value === 'number' && Number.isSafeInteger(value);
    default:
      return typeof value === 'string' && !value.includes('\u0000');
  }
}

export function decodeCursor<E>(cursor: string, key: readonly KeysetColumn<E>[]): (string | number)[] {
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    try {
      const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (Array.isArray(values) && values.length === key.length && values.every((v, i) => fitsKey(v, key[i]!.cast))) {
        return values as (string | number)[];
      }
    } catch {
      /* fall through */
    }
  }
  throw badInput('after is not a cursor from this list', 'after');
}

/**
 * Keyset pagination over a query builder: orders by the given unique key (ascending), fetches one
 * row more than asked to know whether another page follows. The count query reuses the filters.
 * Relations are never joined here (they would break LIMIT): nested fields use DataLoaders.
 */
export async function paginate<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  key: KeysetColumn<E>[],
  args: ConnectionArgs,
): Promise<ConnectionResult<E>> {
  const first = pageSize(args.first);
  const countQb = qb.clone();
  const page = qb.clone();
  if (args.after) {
    const values = decodeCursor(args.after, key);
    const lhs = key.map((k) => k.sql).join(', ');
    const rhs = key.map((k, i) => `CAST(:__after${i} AS ${k.cast ?? 'text'})`).join(', ');
    page.andWhere(`(${lhs}) > (${rhs})`, Object.fromEntries(values.map((v, i) => [`__after${i}`, v])));
  }
  key.forEach((k, i) => (i === 0 ? page.orderBy(k.sql, 'ASC') : page.addOrderBy(k.sql, 'ASC')));
  const rows = first === 0 ? [] : await page.limit(first + 1).getMany();
  const hasNextPage = rows.length > first;
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(key.map((k) => k.value(node))), node }));
  return new ConnectionResult(
    edges,
    {
      hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    () => countQb.getCount(),
  );
}
