/**
 * Connections nested under a list of parents (a token's devices, a profile's devices) loaded for a
 * whole page of parents at once: one query for every parent's first page (a window function ranks
 * the children per parent, keyset order), and one grouped count when `totalCount` is selected.
 * Resolvers reach them through DataLoaders keyed by the field's arguments (see `loaderPerKey`), so a
 * page of 100 tokens costs the same two statements as a page of one.
 */
import DataLoader from 'dataloader';
import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { type ConnectionArgs, ConnectionResult, decodeCursor, encodeCursor, type KeysetColumn, pageSize } from './connection';

export interface NestedConnectionSpec<E extends ObjectLiteral> {
  repository: Repository<E>;
  /** Child rows under `alias` with the field's filters applied (not yet restricted to parents). */
  base: (alias: string) => SelectQueryBuilder<E>;
  /** The child table's column naming its parent, e.g. `token_id`. */
  parentColumn: string;
  /** The unique ascending order of children, as SQL on the given alias. */
  key: (alias: string) => KeysetColumn<E>[];
  args: ConnectionArgs;
}

/** Pages of children for each parent id (in one query) with a batched lazy count. */
export async function paginateNested<E extends ObjectLiteral>(
  spec: NestedConnectionSpec<E>,
  parentIds: readonly string[],
  counter: DataLoader<string, number>,
): Promise<ConnectionResult<E>[]> {
  const first = pageSize(spec.args.first);
  const grouped = new Map<string, E[]>(parentIds.map((id) => [id, []]));
  if (first > 0 && parentIds.length > 0) {
    const inner = spec.base('c');
    const innerKey = spec.key('c');
    inner.andWhere(`c.${spec.parentColumn} = ANY(CAST(:__parents AS uuid[]))`, { __parents: [...parentIds] });
    if (spec.args.after) {
      const values = decodeCursor(spec.args.after, innerKey);
      const lhs = innerKey.map((k) => k.sql).join(', ');
      const rhs = innerKey.map((k, i) => `CAST(:__after${i} AS ${k.cast ?? 'text'})`).join(', ');
      inner.andWhere(`(${lhs}) > (${rhs})`, Object.fromEntries(values.map((v, i) => [`__after${i}`, v])));
    }
    inner
      .select('c.id', 'id')
      .addSelect(`row_number() OVER (PARTITION BY c.${spec.parentColumn} ORDER BY ${innerKey.map((k) => `${k.sql} ASC`).join(', ')})`, 'rn');
    const outer = spec.repository
      .createQueryBuilder('o')
      .where(`o.id IN (SELECT ranked.id FROM (${inner.getQuery()}) ranked WHERE ranked.rn <= :__limit)`)
      .setParameters(inner.getParameters())
      .setParameter('__limit', first + 1)
      .orderBy(`o.${spec.parentColumn}`, 'ASC');
    spec.key('o').forEach((k) => outer.addOrderBy(k.sql, 'ASC'));
    const parentProperty =
      spec.repository.metadata.columns.find((c) => c.databaseName === spec.parentColumn)?.propertyName ?? spec.parentColumn;
    for (const row of await outer.getMany()) grouped.get(row[parentProperty] as string)?.push(row);
  }
  const key = spec.key('o');
  return parentIds.map((parentId) => {
    const rows = grouped.get(parentId) ?? [];
    const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(key.map((k) => k.value(node))), node }));
    return new ConnectionResult(
      edges,
      {
        hasNextPage: rows.length > first,
        hasPreviousPage: Boolean(spec.args.after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      () => counter.load(parentId),
    );
  });
}

/** Children per parent for the same filters, in one grouped query. */
export async function countNested<E extends ObjectLiteral>(
  base: (alias: string) => SelectQueryBuilder<E>,
  parentColumn: string,
  parentIds: readonly string[],
): Promise<number[]> {
  const rows: { parent: string; n: number }[] = await base('c')
    .select(`c.${parentColumn}`, 'parent')
    .addSelect('count(*)::int', 'n')
    .andWhere(`c.${parentColumn} = ANY(CAST(:__parents AS uuid[]))`, { __parents: [...parentIds] })
    .groupBy(`c.${parentColumn}`)
    .getRawMany();
  const counts = new Map(rows.map((r) => [r.parent, Number(r.n)]));
  return parentIds.map((id) => counts.get(id) ?? 0);
}

/**
 * The loader key for a nested connection's arguments, and back: one encoding for every caller
 * (a resolver and its loader once disagreed, and `first`/`after` were silently ignored).
 */
export function connectionArgsKey(args: ConnectionArgs): string {
  return JSON.stringify({ first: args.first ?? null, after: args.after ?? null });
}

export function connectionArgsFromKey(key: string): ConnectionArgs {
  const parsed = JSON.parse(key) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`connectionArgsFromKey: expected a key from connectionArgsKey ({"first","after"}), got ${key}`);
  }
  const { first, after } = parsed as ConnectionArgs;
  return { first, after };
}

/**
 * One DataLoader per distinct key (the field's arguments as JSON), created on first use. Parents
 * asked with the same arguments batch together.
 */
export function loaderPerKey<K, V>(create: (key: string) => DataLoader<K, V>): (key: string) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (key) => {
    let loader = loaders.get(key);
    if (!loader) {
      loader = create(key);
      loaders.set(key, loader);
    }
    return loader;
  };
}
